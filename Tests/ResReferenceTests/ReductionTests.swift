import ResIR
import ResReference
import Testing

/// ReduceMean by hand; Softmax in both forms against onnxruntime at opsets 13 and 11.
@Suite struct ReductionTests {
  private func reduceMean(_ attributes: String, output: String, _ x: ReferenceTensor) throws -> ReferenceTensor? {
    let type = "\(x.dtype.rawValue)[\(x.shape.map(String.init).joined(separator: ","))]"
    return try Reference.run(
      """
      graph "mean" {
        input %x: \(type)
        %y = ReduceMean "m" (%x) {\(attributes)} : \(output)
        return %y
      }
      """, ["x": x]
    ).first
  }

  @Test func meanOverListedAxes() throws {
    // x[i,j,k] = 6i + 2j + k over [2,3,2].
    let x = ramp([2, 3, 2])
    expectClose(try reduceMean("axes=[1], keepdims=1", output: "f32[2,1,2]", x), f32([2, 1, 2], [2, 3, 8, 9]))
    expectClose(try reduceMean("axes=[-1,0], keepdims=0", output: "f32[3]", x), f32([3], [3.5, 5.5, 7.5]))
    expectClose(try reduceMean("keepdims=1", output: "f32[1,1,1]", x), f32([1, 1, 1], [5.5]))
    expectClose(try reduceMean("keepdims=0", output: "f32[]", x), f32([], [5.5]))
  }

  /// Integer means truncate toward zero.
  @Test func integerMeanTruncates() throws {
    let y = try reduceMean("axes=[1], keepdims=0", output: "i64[2]", tensor(.int64, [2, 2], [1, 2, -1, -2]))
    #expect(y == tensor(.int64, [2], [1, -1]))
  }

  @Test func repeatedAxisIsAnError() throws {
    try expectFailure(
      """
      graph "mean" {
        input %x: f32[2,2]
        %y = ReduceMean "m" (%x) {axes=[1,-1], keepdims=1} : f32[2,1]
        return %y
      }
      """, ["x": ramp([2, 2])], node: "m", opType: "ReduceMean", mentioning: "axis -1 is listed twice")
  }

  private func softmax(axis: Int, coerced: Bool) throws -> ReferenceTensor? {
    try Reference.run(
      """
      graph "softmax" {
        input %x: f32[2,2,3]
        %y = Softmax "s" (%x) {axis=\(axis), coerced_2d=\(coerced ? 1 : 0)} : f32[2,2,3]
        return %y
      }
      """, ["x": ramp([2, 2, 3], start: -1, step: 0.5)]
    ).first
  }

  /// Opset 13 normalizes along one axis; the legacy form normalizes the flattened rows from `axis` on.
  @Test func newAndLegacySoftmaxDiffer() throws {
    let alongAxis = [0.18242551, 0.18242551, 0.18242551, 0.81757444, 0.81757444, 0.81757444]
    expectClose(try softmax(axis: 1, coerced: false), f32([2, 2, 3], alongAxis + alongAxis))
    let flattenedRows = [0.0339902, 0.056040365, 0.09239495, 0.15233351, 0.2511555, 0.41408542]
    expectClose(try softmax(axis: 1, coerced: true), f32([2, 2, 3], flattenedRows + flattenedRows))
    let lastAxis = [0.18632373, 0.3071959, 0.5064804]
    expectClose(
      try softmax(axis: -1, coerced: false), f32([2, 2, 3], Array([[Double]](repeating: lastAxis, count: 4).joined())))
    expectClose(
      try softmax(axis: 2, coerced: true), f32([2, 2, 3], Array([[Double]](repeating: lastAxis, count: 4).joined())))
  }
}
