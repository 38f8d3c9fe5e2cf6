import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// The three ways the plan writer fills a constant section give the same bytes, checksum included: packed
/// straight into a destination that lends its bytes (an in-memory plan), written from two threads through a
/// destination that accepts concurrent writes (a plan file), and streamed in offset order from one thread
/// (any other sink). And a write that fails on one thread ends the fill with that error.
@Suite struct ParallelSectionFillTests {
  /// Convolutions on 128 channels: Winograd-transformed 3x3 weights, and 1x1 weights through 6144 channels,
  /// packed, of 3 MB each, which a plan file gets in runs of panels (`ParallelSectionFill.runBytes`), in two
  /// orders: a run-written weight first in the section (the checksum then trails its runs) and behind a
  /// Winograd one.
  static let convolutionChains: [[(outputs: Int, kernel: [Int])]] = [
    [(6144, [1, 1]), (128, [1, 1]), (128, [3, 3])],
    [(128, [3, 3]), (6144, [1, 1]), (128, [1, 1]), (128, [3, 3])],
  ]

  /// `chain` of convolutions, then an ONNX-layout addend: more than a megabyte of payloads in all (so two
  /// threads fill it), with weights that differ element by element.
  private static func mixedSectionModel(_ chain: [(outputs: Int, kernel: [Int])] = convolutionChains[1]) throws
    -> GraphBuilder
  {
    let b = GraphBuilder()
    let x = b.input("f32[1,128,16,16]")
    var value = x
    var channels = 128
    for (index, (outputs, kernel)) in chain.enumerated() {
      let count = outputs * channels * kernel[0] * kernel[1]
      let weights = (0..<count).map { Float(($0 &* 7919 &+ index &* 104_729) % 2003) / 2003 - 0.5 }
      value = try b.value(
        .conv(convAttributes(kernel: kernel, padding: .sameUpper)),
        [value, b.floats(weights, [outputs, channels, kernel[0], kernel[1]], name: "w\(index)")],
        name: "conv\(index)")
      channels = outputs
    }
    let shift = b.floats((0..<(128 * 16 * 16)).map { Float($0 % 97) / 97 }, [1, 128, 16, 16], name: "shift")
    b.graph.outputs = [try b.value(.binary(.add), [value, shift], name: "add")]
    return b
  }

  /// The plan file `generated` writes into a zeroed buffer through the sink `makeSink` wraps around it.
  private static func file<Sink: PlanFileSink>(
    of generated: GeneratedPlan, through makeSink: (PlanBufferSink) -> Sink
  ) throws(Sink.Failure) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: generated.layout.fileLength, alignment: 64)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 0)
    try generated.write(to: makeSink(PlanBufferSink(buffer)))
    return Array(buffer)
  }

  @Test(arguments: 0..<convolutionChains.count)
  func everyWayOfFillingASectionGivesTheSameFile(chain: Int) throws {
    let generated = try PlanGenerator.generate(
      Self.mixedSectionModel(Self.convolutionChains[chain]).graph, options: CodegenOptions())
    #expect(generated.layout.constantsLength > 1 << 20)
    let inPlace = generated.bytes
    let streamed = Self.file(of: generated) { StreamingOnlySink($0) }
    let concurrent = try Self.file(of: generated) { ConcurrentBufferSink($0) }
    try #require(inPlace.count == streamed.count && inPlace.count == concurrent.count)
    // The first byte that differs, not two megabyte arrays in a failure message.
    #expect(inPlace.indices.first { inPlace[$0] != streamed[$0] } == nil)
    #expect(inPlace.indices.first { inPlace[$0] != concurrent[$0] } == nil)
    let plan = try DecodedPlan(inPlace)
    #expect(plan.metadata.buffers.contains { $0.hasPacking && $0.packing.winogradOutputTile > 0 })
    // Packed weights of 3 MB, more than one run of panels.
    #expect(plan.metadata.buffers.filter { $0.hasPacking && $0.shape.reduce(1, *) * 4 > 2 << 20 }.count == 2)
  }

  @Test func aFailedConcurrentWriteEndsTheFillWithItsError() throws {
    let generated = try PlanGenerator.generate(Self.mixedSectionModel().graph, options: CodegenOptions())
    let failingFrom = generated.layout.constantsOffset + generated.layout.constantsLength / 2
    #expect(throws: ConcurrentBufferSink.DiskFull.self) {
      _ = try Self.file(of: generated) { ConcurrentBufferSink($0, failingFrom: failingFrom) }
    }
  }
}

/// A sink that writes through another and lends none of its bytes: the plan writer then streams every payload.
private final class StreamingOnlySink: PlanFileSink {
  typealias Failure = Never
  private let destination: PlanBufferSink

  init(_ destination: PlanBufferSink) { self.destination = destination }

  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) { destination.write(bytes, at: offset) }
}

/// A sink that takes writes from several threads at once and shows what they wrote, like a plan file; writes
/// reaching `failingFrom` or beyond fail as a full disk would.
private final class ConcurrentBufferSink: PlanFileSink, @unchecked Sendable {
  struct DiskFull: Error {}
  private let destination: PlanBufferSink
  private let failingFrom: Int

  init(_ destination: PlanBufferSink, failingFrom: Int = .max) {
    self.destination = destination
    self.failingFrom = failingFrom
  }

  var acceptsConcurrentWrites: Bool { true }

  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(DiskFull) {
    guard offset + bytes.count <= failingFrom else { throw DiskFull() }
    destination.write(bytes, at: offset)
  }

  func writtenBytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
    destination.writableBytes(at: offset, count: count).map { UnsafeRawBufferPointer($0) }
  }
}
