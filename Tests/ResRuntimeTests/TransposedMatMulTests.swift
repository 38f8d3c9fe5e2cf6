import ResPlan
import Testing

@testable import ResRuntime

/// `f32_matmul_generic` with `a_perm`, `b_perm` and `y_perm`: the step reads transposes of its input buffers and
/// writes a transpose of its product in place. Each case runs against the same step on operands transposed
/// beforehand (bit-identical on one thread, where both pack their panels the same way), against naive loops,
/// and on three threads (bit-identical to one).
@Suite struct TransposedMatMulTests {
  struct Case: CustomStringConvertible, Sendable {
    /// The buffers' shapes and the perms the step reads and writes them with (empty: as they are).
    var aBuffer: [Int]
    var aPerm: [Int] = []
    var bBuffer: [Int]
    var bPerm: [Int] = []
    /// The product's shape, and the perm its buffer holds it in.
    var y: [Int]
    var yPerm: [Int] = []
    var bias: [Int]? = nil
    var residual = false

    var description: String {
      "A \(aBuffer) perm \(aPerm) x B \(bBuffer) perm \(bPerm) -> Y \(y) perm \(yPerm)"
    }
  }

  static let cases: [Case] = [
    // Attention scores: Q heads [1,S,h,d] → [1,h,S,d] times Kᵀ [1,S,h,d] → [1,h,d,S].
    Case(aBuffer: [1, 7, 3, 5], aPerm: [0, 2, 1, 3], bBuffer: [1, 7, 3, 5], bPerm: [0, 2, 3, 1], y: [1, 3, 7, 7]),
    // Attention context: probabilities times V heads, the heads merged back into [1,S,h,d] as they are written.
    Case(
      aBuffer: [1, 3, 7, 7], bBuffer: [1, 7, 3, 5], bPerm: [0, 2, 1, 3], y: [1, 3, 7, 5], yPerm: [0, 2, 1, 3],
      bias: [5], residual: true),
    // Large enough to be cut into pieces on three threads (A then read in place where its rows are contiguous).
    Case(aBuffer: [1, 90, 2, 64], aPerm: [0, 2, 1, 3], bBuffer: [1, 90, 2, 64], bPerm: [0, 2, 3, 1], y: [1, 2, 90, 90]),
    Case(
      aBuffer: [1, 2, 90, 90], bBuffer: [1, 90, 2, 64], bPerm: [0, 2, 1, 3], y: [1, 2, 90, 64], yPerm: [0, 2, 1, 3]),
    // Rank 2: Aᵀ and Bᵀ read from their buffers (Gemm's transA and transB), the identity as y_perm.
    Case(aBuffer: [6, 4], aPerm: [1, 0], bBuffer: [9, 6], bPerm: [1, 0], y: [4, 9], yPerm: [0, 1], bias: [9]),
    // Broadcast batch axes: A's size-1 axis and B's missing one.
    Case(aBuffer: [2, 1, 4, 3], aPerm: [0, 1, 3, 2], bBuffer: [3, 4, 2], y: [2, 3, 3, 2], bias: [3, 1, 2]),
  ]

  @Test(arguments: cases)
  func matchesTheProductOfTransposedOperands(_ spec: Case) throws {
    var random = SeededGenerator(seed: UInt64(spec.aBuffer.reduce(1, *) * 31 + spec.bBuffer.reduce(1, *)))
    let aValues = random.floats(spec.aBuffer.reduce(1, *))
    let bValues = random.floats(spec.bBuffer.reduce(1, *))
    let biasValues = random.floats(spec.bias?.reduce(1, *) ?? 0)
    let residualValues = random.floats(spec.y.reduce(1, *))
    let (a, aShape) = Self.transpose(aValues, spec.aBuffer, spec.aPerm)
    let (b, bShape) = Self.transpose(bValues, spec.bBuffer, spec.bPerm)
    var extra: [StepOperand] = []
    if let shape = spec.bias { extra.append(StepOperand(shape, floats: biasValues, constant: true)) }
    if spec.residual { extra.append(StepOperand(spec.y, floats: residualValues)) }

    var plain = Rescompile_Plan_MatMulParams()
    plain.epilogue.hasBias_p = spec.bias != nil
    plain.epilogue.hasResidual_p = spec.residual
    let reference = try StepHarness.run(
      .f32MatMulGeneric, .matmul(plain), inputs: [StepOperand(aShape, floats: a), StepOperand(bShape, floats: b)] + extra,
      outputs: [(.f32, spec.y)])[0]
    let naive = NaiveMatMul.compute(a: a, aShape: aShape, b: b, bShape: bShape, outputShape: spec.y).enumerated().map {
      index, value in
      var total = value
      if let shape = spec.bias { total += Double(biasValues[NaiveMatMul.broadcastIndex(index, from: spec.y, to: shape)]) }
      if spec.residual { total += Double(residualValues[index]) }
      return total
    }
    expectClose(reference, naive, absolute: 1e-5 * Double(aShape.last ?? 1), relative: 1e-4, "\(spec)")

    var transposed = plain
    transposed.aPerm = spec.aPerm.map(Int64.init)
    transposed.bPerm = spec.bPerm.map(Int64.init)
    transposed.yPerm = spec.yPerm.map(Int64.init)
    let inputs = [StepOperand(spec.aBuffer, floats: aValues), StepOperand(spec.bBuffer, floats: bValues)] + extra
    let (_, yBuffer) = Self.transpose([Float](repeating: 0, count: spec.y.reduce(1, *)), spec.y, spec.yPerm)
    let (expected, _) = Self.transpose(reference.map(Float.init), spec.y, spec.yPerm)
    let result = try StepHarness.run(.f32MatMulGeneric, .matmul(transposed), inputs: inputs, outputs: [(.f32, yBuffer)])
    #expect(result[0] == expected.map(Double.init), "\(spec)")
    let threaded = try StepHarness.run(
      .f32MatMulGeneric, .matmul(transposed), inputs: inputs, outputs: [(.f32, yBuffer)], threads: 3)
    #expect(threaded[0] == result[0], "three threads must give bit-identical results (\(spec))")
  }

  @Test func rejectsPermsItCannotFollow() {
    let a = StepOperand([2, 3], [Double](repeating: 1, count: 6))
    let b = StepOperand([3, 4], [Double](repeating: 1, count: 12))
    var swapsRows = Rescompile_Plan_MatMulParams()
    swapsRows.yPerm = [1, 0]
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(swapsRows), inputs: [a, b], outputs: [(.f32, [4, 2])], containing: "last axis last"))
    var repeated = Rescompile_Plan_MatMulParams()
    repeated.aPerm = [0, 0]
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(repeated), inputs: [a, b], outputs: [(.f32, [2, 4])], containing: "not a permutation"))
    var tooShort = Rescompile_Plan_MatMulParams()
    tooShort.bPerm = [1]
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(tooShort), inputs: [a, b], outputs: [(.f32, [2, 4])], containing: "not a permutation"))
    var vector = Rescompile_Plan_MatMulParams()
    vector.aPerm = [0]
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(vector), inputs: [StepOperand([3], [1, 1, 1]), b], outputs: [(.f32, [4])],
        containing: "rank 2 or more"))
    var packed = StepOperand([4, 3], [Double](repeating: 1, count: 12), constant: true)
    packed.packing = DenseWeightLayouts.matMulB(matrices: 1, k: 4, n: 3, widths: .runtime)
    var transposedPacked = Rescompile_Plan_MatMulParams()
    transposedPacked.bPerm = [1, 0]
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(transposedPacked), inputs: [a, packed], outputs: [(.f32, [2, 4])],
        containing: "packed constant"))
  }

  /// `transpose(values, perm)` in ONNX semantics (axis `i` of the result is axis `perm[i]` of the input), and the
  /// result's shape; an empty perm leaves the values as they are.
  static func transpose(_ values: [Float], _ shape: [Int], _ perm: [Int]) -> ([Float], [Int]) {
    guard !perm.isEmpty else { return (values, shape) }
    let resultShape = perm.map { shape[$0] }
    var sourceStrides = [Int](repeating: 1, count: shape.count)
    for axis in stride(from: shape.count - 2, through: 0, by: -1) { sourceStrides[axis] = sourceStrides[axis + 1] * shape[axis + 1] }
    var result = [Float](repeating: 0, count: values.count)
    for index in result.indices {
      var remainder = index
      var source = 0
      for axis in stride(from: resultShape.count - 1, through: 0, by: -1) {
        source += remainder % resultShape[axis] * sourceStrides[perm[axis]]
        remainder /= resultShape[axis]
      }
      result[index] = values[source]
    }
    return (result, resultShape)
  }
}
