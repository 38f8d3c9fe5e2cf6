import ResPlan
import Testing

@testable import ResRuntime

/// `top_k`: the heap selection against a full sort of every line, in each element type the kernel ranks, for
/// counts from 0 to the whole axis, on one and two threads; and every malformed step refused when the plan
/// loads.
@Suite struct TopKOperatorTests {
  static func params(axis: Int64, largest: Bool) -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_TopKParams()
    params.axis = axis
    params.largest = largest
    return .topK(params)
  }

  /// The k best positions of each line by a full sort of (class, key, position) tuples: NaN is the class that
  /// comes first when largest and last when smallest; ties go to the smaller position.
  static func expected(_ values: [Double], shape: [Int], axis: Int, k: Int, largest: Bool) -> [[Double]] {
    let outer = shape[..<axis].reduce(1, *)
    let length = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    var picked = [Double](repeating: 0, count: outer * k * inner)
    var positions = picked
    for o in 0..<outer {
      for i in 0..<inner {
        let line = (0..<length).map { values[(o * length + $0) * inner + i] }
        let keys = line.enumerated().map { position, value in
          value.isNaN ? (largest ? 0 : 1, 0.0, position) : (largest ? 1 : 0, largest ? -value : value, position)
        }
        for (rank, key) in keys.sorted(by: <).prefix(k).enumerated() {
          picked[(o * k + rank) * inner + i] = line[key.2]
          positions[(o * k + rank) * inner + i] = Double(key.2)
        }
      }
    }
    return [picked, positions]
  }

  /// Values with many ties (and NaNs for the float types) from a fixed sequence.
  static func values(count: Int, type: ElementType) -> [Double] {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      if type.isFloatingPoint, state >> 59 == 0 { return .nan }
      return Double(Int(state >> 33 & 31) - 15)
    }
  }

  @Test(arguments: [ElementType.f32, .f64, .i64, .i32])
  func selectionMatchesAFullSort(_ type: ElementType) throws {
    // 3 × 41 × 70 = 8,610 elements: above the two-thread split threshold.
    let shape = [3, 41, 70]
    let values = Self.values(count: shape.reduce(1, *), type: type)
    for (axis, k, largest) in [(1, 0, true), (1, 1, true), (1, 20, false), (1, 41, true), (2, 70, false), (0, 2, true)]
    {
      var outputShape = shape
      outputShape[axis] = k
      let expected = Self.expected(values, shape: shape, axis: axis, k: k, largest: largest)
      for threads in [1, 2] {
        let actual = try StepHarness.run(
          .topK, Self.params(axis: Int64(axis), largest: largest), inputs: [StepOperand(shape, values, type: type)],
          outputs: [(type, outputShape), (.i64, outputShape)], threads: threads)
        let context = "\(type) axis \(axis) k \(k) largest \(largest), \(threads) threads"
        expectClose(actual[0], expected[0], absolute: 0, relative: 0, context)
        #expect(actual[1] == expected[1], "\(context)")
      }
    }
  }

  static let x = StepOperand([2, 5], (0..<10).map(Double.init))
  static let half = StepOperand([2, 5], [Double](repeating: 0, count: 10), type: .f16)

  /// One malformed step: its axis, input, outputs, and the message it must be refused with.
  struct Malformed: Sendable {
    var axis: Int64 = 1
    var input = TopKOperatorTests.x
    var outputs: [(ElementType, [Int])]
    var message: String
  }

  static let malformed: [Malformed] = [
    Malformed(axis: 2, outputs: [(.f32, [2, 2]), (.i64, [2, 2])], message: "axis 2 is out of range for X [2,5]"),
    Malformed(axis: -1, outputs: [(.f32, [2, 2]), (.i64, [2, 2])], message: "axis -1 is out of range for X [2,5]"),
    Malformed(
      outputs: [(.f32, [2, 6]), (.i64, [2, 6])],
      message: "k 6 (Values' length along axis 1) is larger than X [2,5]"),
    Malformed(
      outputs: [(.f32, [2, 3]), (.i64, [2, 2])],
      message: "Indices (buffer 2 'out1' i64[2,2]) has shape [2,2], expected [2,3]"),
    Malformed(
      outputs: [(.f32, [3, 3]), (.i64, [3, 3])],
      message: "Values (buffer 1 'out0' f32[3,3]) has shape [3,3], expected [2,3]"),
    Malformed(
      outputs: [(.f32, [2, 3, 1]), (.i64, [2, 3])],
      message: "Values (buffer 1 'out0' f32[2,3,1]) has rank 3, expected 2"),
    Malformed(
      outputs: [(.f64, [2, 3]), (.i64, [2, 3])],
      message: "Values (buffer 1 'out0' f64[2,3]) has element type f64, expected f32"),
    Malformed(
      outputs: [(.f32, [2, 3]), (.i32, [2, 3])],
      message: "Indices (buffer 2 'out1' i32[2,3]) has element type i32, expected i64"),
    Malformed(outputs: [(.f32, [2, 3])], message: "has 1 outputs, expected 2"),
    Malformed(
      input: half, outputs: [(.f16, [2, 3]), (.i64, [2, 3])],
      message: "X (buffer 0 'in0' f16[2,5]) has element type f16, expected f32 or f64 or i32 or i64"),
  ]

  @Test(arguments: malformed.indices)
  func malformedStepIsRefusedWhenThePlanLoads(_ index: Int) {
    let step = Self.malformed[index]
    #expect(
      StepHarness.rejects(
        .topK, Self.params(axis: step.axis, largest: true), inputs: [step.input], outputs: step.outputs,
        containing: step.message))
  }
}
