import ResCodegen
import ResIR
import ResReference
import ResTestSupport
import Testing

/// `f32_resize` computes its last two axes separably (`ResizeLastAxis`): where the second-to-last axis is not
/// shrunk, each input row is resampled once, kept in a per-worker cache of as many rows as that axis has taps,
/// and blended into every output row that reads it; where it is shrunk, input rows are blended first. These
/// resizes cover both orders and the caches' sliding windows (8x and uneven upsampling, cubic's four rows,
/// downsampling, one axis up and the other down, a 3-D trilinear volume, 1-D rows) for every mode, on one to
/// three threads (so a worker's rows start inside a window), against the reference evaluator (double
/// precision, one element at a time).
@Suite struct ResizeExecutionTests {
  struct Setting: CustomStringConvertible, Sendable {
    let mode: ResizeMode
    let coordinates: ResizeCoordinates
    let rounding: NearestRounding
    var excludeOutside = false
    var description: String {
      "\(mode) \(coordinates.rawValue) \(rounding.rawValue)\(excludeOutside ? " exclude" : "")"
    }
  }

  static let settings = [
    Setting(mode: .linear, coordinates: .halfPixel, rounding: .floor),
    Setting(mode: .linear, coordinates: .alignCorners, rounding: .floor),
    Setting(mode: .linear, coordinates: .asymmetric, rounding: .floor),
    Setting(mode: .linear, coordinates: .pytorchHalfPixel, rounding: .floor),
    Setting(mode: .cubic, coordinates: .halfPixel, rounding: .floor),
    Setting(mode: .cubic, coordinates: .halfPixelSymmetric, rounding: .floor, excludeOutside: true),
    Setting(mode: .nearest, coordinates: .asymmetric, rounding: .floor),
    Setting(mode: .nearest, coordinates: .halfPixel, rounding: .roundPreferCeil),
  ]

  static func resizeGraph(_ input: [Int], _ output: [Int], _ setting: Setting) throws -> Graph {
    let b = GraphBuilder()
    let x = b.input("f32[\(input.map(String.init).joined(separator: ","))]")
    let attributes = ResizeAttributes(
      mode: setting.mode, coordinates: setting.coordinates, nearestRounding: setting.rounding,
      scales: zip(input, output).map { Float($1) / Float($0) }, sizes: output, excludeOutside: setting.excludeOutside)
    b.graph.outputs = [try b.value(.resize(attributes), [x], name: "resize")]
    return b.graph
  }

  @Test(arguments: [
    ([1, 5, 12, 12], [1, 5, 96, 96]), ([1, 3, 5, 7], [1, 3, 13, 11]), ([1, 4, 16, 10], [1, 4, 8, 5]),
    ([2, 3, 9, 4], [2, 3, 4, 9]), ([1, 2, 4, 14], [1, 2, 11, 6]), ([1, 2, 3, 4, 5], [1, 2, 6, 7, 3]),
    ([1, 6, 10], [1, 6, 23]),
  ])
  func matchesTheReferenceEvaluator(input: [Int], output: [Int]) throws {
    for setting in Self.settings {
      let graph = try Self.resizeGraph(input, output, setting)
      let inputs = try SeededInputs.make(for: graph, seed: 3)
      let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
      for threads in 1...3 {
        let result = try PlanExecution.run(graph, inputs: inputs, threads: threads)
        let mismatch = PlanExecution.mismatch(result, expected, rtol: 1e-5, atol: 1e-6)
        #expect(mismatch == nil, "\(input) → \(output) \(setting), \(threads) thread(s): \(mismatch ?? "")")
      }
    }
  }

  /// Taps of weight 0 on either axis add nothing, not even 0 · ∞: a bilinear resize at scale 1 (each output
  /// reads its own input, its neighbours weighted 0) and an asymmetric 2x downsampling (each output reads the
  /// even positions, the odd ones weighted 0) of a plane with infinities and NaNs at the positions weighted 0.
  @Test func infinitiesWeightedZeroStayOut() throws {
    let plane: [Double] = [
      1, .infinity, 2, .nan,
      -.infinity, .nan, .infinity, 5,
      3, -.infinity, 4, .infinity,
      .nan, 7, -.infinity, 8,
    ]
    let linear = Setting(mode: .linear, coordinates: .asymmetric, rounding: .floor)
    for (output, expected) in [([1, 1, 4, 4], plane), ([1, 1, 2, 2], [1, 2, 3, 4])] {
      let graph = try Self.resizeGraph([1, 1, 4, 4], output, linear)
      let input = ReferenceTensor(dtype: .float32, shape: [1, 1, 4, 4], doubles: plane)
      let result = try PlanExecution.run(graph, inputs: ["x": input])[0].doubles
      #expect(
        zip(result, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } && result.count == expected.count,
        "\(output): \(result)")
    }
  }
}
