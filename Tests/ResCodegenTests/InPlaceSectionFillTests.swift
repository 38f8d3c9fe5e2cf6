import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// A constant section packed straight into a destination that lends its bytes (`InPlaceSectionFill`, two
/// threads, payloads largest first) is byte for byte the section `PackingPipeline` streams through
/// `write(_:at:)` (one payload at a time, in offset order), checksum included.
@Suite struct InPlaceSectionFillTests {
  /// Winograd-transformed, panel-packed and ONNX-layout payloads, more than a megabyte in all (so two threads
  /// fill it), with weights that differ element by element.
  private static func mixedSectionModel() throws -> GraphBuilder {
    let b = GraphBuilder()
    let x = b.input("f32[1,128,16,16]")
    var value = x
    for (index, kernel) in [[3, 3], [1, 1], [3, 3]].enumerated() {
      let count = 128 * 128 * kernel[0] * kernel[1]
      let weights = (0..<count).map { Float(($0 &* 7919 &+ index &* 104_729) % 2003) / 2003 - 0.5 }
      value = try b.value(
        .conv(convAttributes(kernel: kernel, padding: .sameUpper)),
        [value, b.floats(weights, [128, 128, kernel[0], kernel[1]], name: "w\(index)")], name: "conv\(index)")
    }
    let shift = b.floats((0..<(128 * 16 * 16)).map { Float($0 % 97) / 97 }, [1, 128, 16, 16], name: "shift")
    b.graph.outputs = [try b.value(.binary(.add), [value, shift], name: "add")]
    return b
  }

  @Test func aSectionFilledInPlaceIsTheSectionStreamed() throws {
    let generated = try PlanGenerator.generate(Self.mixedSectionModel().graph, options: CodegenOptions())
    #expect(generated.layout.constantsLength > 1 << 20)
    let inPlace = generated.bytes
    let streamed = [UInt8](unsafeUninitializedCapacity: generated.layout.fileLength) { storage, initialized in
      let buffer = UnsafeMutableRawBufferPointer(storage)
      buffer.initializeMemory(as: UInt8.self, repeating: 0)
      generated.write(to: StreamingOnlySink(PlanBufferSink(buffer)))
      initialized = buffer.count
    }
    try #require(inPlace.count == streamed.count)
    // The first byte that differs, not two megabyte arrays in a failure message.
    #expect(inPlace.indices.first { inPlace[$0] != streamed[$0] } == nil)
    let plan = try DecodedPlan(inPlace)
    #expect(plan.metadata.buffers.contains { $0.hasPacking && $0.packing.winogradOutputTile > 0 })
  }
}

/// A sink that writes through another and lends none of its bytes: the plan writer then streams every payload.
private final class StreamingOnlySink: PlanFileSink {
  typealias Failure = Never
  private let destination: PlanBufferSink

  init(_ destination: PlanBufferSink) { self.destination = destination }

  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) { destination.write(bytes, at: offset) }
}
