import ResPlan
import Testing

/// `PlanConstantWriter` writes the file `PlanFile.assemble` writes, the checksum counting the zeros between
/// and after the payloads: payloads written in order, and a section filled at once through a sink that takes
/// concurrent writes, its checksum supplied.
@Suite struct PlanConstantWriterTests {
  private static let metadata: [UInt8] = Array("metadata".utf8)
  private static let payloads: [(offset: Int, bytes: [UInt8])] = [
    (0, [1, 2, 3, 4, 5]), (64, Array(0..<100)), (192, [9, 8, 7]),
  ]

  private static var constants: [UInt8] {
    var constants = [UInt8](repeating: 0, count: 300)
    for payload in payloads {
      constants.replaceSubrange(payload.offset..<(payload.offset + payload.bytes.count), with: payload.bytes)
    }
    return constants
  }

  private static var assembled: [UInt8] {
    PlanFile.assemble(metadata: metadata, constants: constants, producer: "test", requiredFeatures: [])
  }

  /// The file `writeConstants` makes through a sink over a zeroed buffer (`concurrent`: one that takes writes
  /// from several threads and shows them back).
  private static func file(
    concurrent: Bool, _ writeConstants: (inout PlanConstantWriter<TestSink>) -> Void
  ) -> [UInt8] {
    let layout = PlanFile.Layout(metadataLength: metadata.count, constantsLength: constants.count)
    var written = [UInt8](repeating: 0, count: layout.fileLength)
    written.withUnsafeMutableBytes { file in
      PlanFile.write(
        metadata: metadata, layout: layout, producer: "test", requiredFeatures: [],
        to: TestSink(PlanBufferSink(file), file: file, concurrent: concurrent), writeConstants: writeConstants)
    }
    return written
  }

  @Test func payloadsWrittenInOrderMakeTheAssembledFile() {
    let written = Self.file(concurrent: false) { writer in
      #expect(writer.concurrentSection() == nil)
      for payload in Self.payloads {
        payload.bytes.withUnsafeBytes { writer.write($0, at: payload.offset) }
      }
      #expect(writer.concurrentSection() == nil)
    }
    #expect(written == Self.assembled)
  }

  @Test func aSectionFilledAtOnceMakesTheAssembledFile() {
    let written = Self.file(concurrent: true) { writer in
      guard let section = writer.concurrentSection() else {
        Issue.record("a sink taking concurrent writes offers the section")
        return
      }
      for payload in Self.payloads.reversed() {
        payload.bytes.withUnsafeBytes { section.write($0, at: payload.offset) }
      }
      #expect(Array(section.written) == Self.constants)
      writer.sectionFilled(checksum: PlanChecksum.of(section.written))
    }
    #expect(written == Self.assembled)
  }
}

/// A buffer sink that, when `concurrent`, says it takes concurrent writes and shows the file's bytes back.
private final class TestSink: PlanFileSink {
  typealias Failure = Never
  private let destination: PlanBufferSink
  private let file: UnsafeMutableRawBufferPointer
  private let concurrent: Bool

  init(_ destination: PlanBufferSink, file: UnsafeMutableRawBufferPointer, concurrent: Bool) {
    self.destination = destination
    self.file = file
    self.concurrent = concurrent
  }

  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) { destination.write(bytes, at: offset) }

  var acceptsConcurrentWrites: Bool { concurrent }

  func writtenBytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
    concurrent ? UnsafeRawBufferPointer(rebasing: file[offset..<(offset + count)]) : nil
  }
}
