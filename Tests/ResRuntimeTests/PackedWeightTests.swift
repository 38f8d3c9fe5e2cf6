import Foundation
import ResPlan
import Testing

@testable import ResRuntime

/// Weights a plan stores packed for their kernel (plan.proto `PanelPacking`): the pure packing, the runtime
/// using matching bytes in place, and every malformed descriptor refused before any byte is read.
@Suite struct PackedWeightTests {
  /// The sample classifier's 3x3 convolution weight `[4, 3, 3, 3]` in the direct method's 16-lane panels.
  static let convolutionPacking = PanelLayout(
    width: 16, matrices: 1, rows: 4, depth: 27, matrixStride: 108, rowStride: 27, depthStride: 1)

  @Test func packThenUnpackGivesTheTensorBack() {
    var random = SeededGenerator(seed: 5)
    let layouts = [
      PanelLayout(width: 6, matrices: 1, rows: 13, depth: 7, matrixStride: 0, rowStride: 7, depthStride: 1),
      PanelLayout(width: 16, matrices: 3, rows: 5, depth: 4, matrixStride: 20, rowStride: 1, depthStride: 5),
      PanelLayout(width: 4, matrices: 2, rows: 3, depth: 6, matrixStride: 18, rowStride: 6, depthStride: 1),
    ]
    for layout in layouts {
      let count = layout.matrices * layout.rows * layout.depth
      #expect(layout.problem(elementCount: count) == nil)
      let tensor = random.floats(count)
      var packed = [Float](repeating: .nan, count: layout.floatCount)
      var restored = [Float](repeating: .nan, count: count)
      tensor.withUnsafeBufferPointer { source in
        packed.withUnsafeMutableBufferPointer { layout.pack(source.baseAddress!, into: $0.baseAddress!) }
      }
      packed.withUnsafeBufferPointer { source in
        #expect(restored.withUnsafeMutableBufferPointer { layout.unpack(source.baseAddress!, into: $0.baseAddress!) })
      }
      #expect(restored == tensor, "\(layout)")
      #expect(!packed.contains { $0.isNaN }, "padding rows are zeros: \(layout)")
      // Element (m, r, k) sits in panel r / width at step k, lane r % width.
      let (m, r, k) = (layout.matrices - 1, layout.rows - 1, layout.depth - 1)
      let panel = m * layout.floatsPerMatrix + r / layout.width * layout.width * layout.depth
      #expect(packed[panel + k * layout.width + r % layout.width] == tensor[m * layout.matrixStride + r * layout.rowStride + k * layout.depthStride])
    }
  }

  @Test func malformedLayoutsAreDescribed() {
    let valid = PanelLayout(width: 6, matrices: 2, rows: 3, depth: 4, matrixStride: 12, rowStride: 4, depthStride: 1)
    #expect(valid.problem(elementCount: 24) == nil)
    #expect(valid.problem(elementCount: 25)?.contains("do not cover") == true)
    let cases: [(PanelLayout, String)] = [
      (PanelLayout(width: 0, matrices: 2, rows: 3, depth: 4, matrixStride: 12, rowStride: 4, depthStride: 1), "panel width"),
      (PanelLayout(width: 65, matrices: 2, rows: 3, depth: 4, matrixStride: 12, rowStride: 4, depthStride: 1), "panel width"),
      (PanelLayout(width: 6, matrices: 2, rows: 3, depth: 4, matrixStride: 12, rowStride: 5, depthStride: 1), "reach"),
      (PanelLayout(width: 6, matrices: 2, rows: 3, depth: 4, matrixStride: -12, rowStride: 4, depthStride: 1), "negative"),
      (PanelLayout(width: 6, matrices: 2, rows: 3, depth: 4, matrixStride: Int.max, rowStride: 4, depthStride: 1), "overflow"),
      (PanelLayout(width: 6, matrices: 1 << 62, rows: 1 << 62, depth: 4, matrixStride: 0, rowStride: 0, depthStride: 1), "cover"),
    ]
    let emptyButHuge = PanelLayout(width: 6, matrices: 1, rows: Int.max, depth: 0, matrixStride: 0, rowStride: 0, depthStride: 1)
    #expect(emptyButHuge.problem(elementCount: 0)?.contains("overflow") == true)
    for (layout, fragment) in cases {
      #expect(layout.problem(elementCount: 24)?.contains(fragment) == true, "\(layout)")
    }
  }

  @Test func theCompilerPacksForThisRuntimesKernels() {
    #expect(PanelWidths.target == PanelWidths.runtime)
  }

  @Test func matchingPackedWeightsAreUsedInPlace() throws {
    var random = SeededGenerator(seed: 9)
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [3, 3]
    params.pads = [1, 1, 1, 1]
    // Eighteen input channels (162 reduction steps, past `ConvMethod.gridMaximumDepth`): the direct method;
    // fewer would take the grid method.
    let x = StepOperand([1, 18, 6, 6], floats: random.floats(648))
    var w = StepOperand([4, 18, 3, 3], floats: random.floats(648), constant: true)
    let directPacking = PanelLayout(
      width: 16, matrices: 1, rows: 4, depth: 162, matrixStride: 648, rowStride: 162, depthStride: 1)
    for (packing, borrowed) in [(directPacking, true), (nil, false)] {
      w.packing = packing
      let plan = try StepHarness.builder(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 6, 6])]).plan()
      let conv = try #require(plan.program.steps[0].operation as? ConvOperator)
      guard case .direct(let direct) = conv.method else {
        Issue.record("expected the direct method")
        continue
      }
      #expect(direct.weights.allSatisfy { $0.isBorrowed == borrowed }, "packing \(packing.map { "\($0)" } ?? "none")")
    }
  }

  @Test func malformedPackingsAreRefused() {
    func packing(_ edit: (inout Rescompile_Plan_PanelPacking) -> Void) -> Rescompile_Plan_PanelPacking {
      var message = Self.convolutionPacking.message
      edit(&message)
      return message
    }
    PlanValidationTests.expectRejected("panel width 0") { $0.metadata.buffers[1].packing = packing { $0.width = 0 } }
    PlanValidationTests.expectRejected("do not cover") { $0.metadata.buffers[1].packing = packing { $0.rows = 5 } }
    PlanValidationTests.expectRejected("reach element") { $0.metadata.buffers[1].packing = packing { $0.rowStride = 28 } }
    PlanValidationTests.expectRejected("strides overflow") {
      $0.metadata.buffers[1].packing = packing { $0.rowStride = UInt64(Int.max) }
    }
    PlanValidationTests.expectRejected("too large") { $0.metadata.buffers[1].packing = packing { $0.depthStride = .max } }
    PlanValidationTests.expectRejected("exceed the") { $0.metadata.buffers[1].packing = packing { $0.width = 64 } }
    PlanValidationTests.expectRejected("lives in the arena") { builder in
      builder.metadata.buffers[0].packing = packing { $0.rows = 1; $0.depth = 192; $0.matrixStride = 0 }
    }
    PlanValidationTests.expectRejected("only f32") { $0.metadata.buffers[11].packing = packing { $0.rows = 2; $0.depth = 1 } }
    // A packed constant anywhere but a weight operand, or bound to a graph output.
    let table = packing { $0.rows = 5; $0.depth = 3; $0.matrixStride = 15; $0.rowStride = 3; $0.width = 1 }
    PlanValidationTests.expectRejected("is packed") { $0.metadata.buffers[10].packing = table }
    PlanValidationTests.expectRejected("bound to a packed constant") { builder in
      builder.metadata.buffers[10].packing = table
      builder.output("table", 10)
    }
  }

  @Test func theConstantChecksumIsCheckedOnRequest() throws {
    var bytes = SamplePlans.convolutionalClassifier().bytes()
    let sections = try bytes.withUnsafeBytes { try PlanFile.sections(of: $0) }
    bytes[Int(sections.header.constantsOffset) + 5] ^= 0xFF
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("packed-weights-\(getpid()).resplan").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    _ = try Plan(contentsOf: path)
    #expect(throws: RuntimeError.self) { try Plan(contentsOf: path, verifyConstants: true) }
    #expect(throws: RuntimeError.self) { try Plan(bytes: bytes) }
  }
}
