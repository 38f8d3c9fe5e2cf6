import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// A batch-norm-folded weight is a `ChannelScaling` the plan writer packs straight from the unscaled weight:
/// the plan must be byte for byte the plan of the same graph whose weight was scaled first, for every layout
/// the weight is packed in (Winograd's, direct, GEMM panels, grouped, and a Gemm weight whose packed rows do
/// not follow the scaled axis, which is packed from the computed bytes), with the unscaled weight at an
/// address that is not a multiple of 4 (weights borrowed from a model file sit anywhere).
@Suite struct ScaledWeightPackingTests {
  /// Owns an allocation a weight's bytes are borrowed from, one byte past an aligned start.
  private final class UnalignedStorage {
    let memory: UnsafeMutableRawBufferPointer

    init(_ values: [Float]) {
      memory = .allocate(byteCount: values.count * 4 + 1, alignment: 64)
      values.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: memory[1...]).copyMemory(from: $0) }
    }

    deinit { memory.deallocate() }

    var bytes: TensorBytes {
      TensorBytes(borrowing: UnsafeRawBufferPointer(rebasing: memory[1...]), owner: self)
    }
  }

  struct Case: CustomTestStringConvertible, Sendable {
    let label: String
    let input: String
    let weightDims: [Int]
    let axis: Int
    let op: Op
    var testDescription: String { label }
  }

  static let cases = [
    Case(
      label: "Winograd 3x3", input: "f32[1,16,16,16]", weightDims: [24, 16, 3, 3], axis: 0,
      op: .conv(convAttributes(kernel: [3, 3], padding: .explicit([1, 1, 1, 1])))),
    Case(
      label: "direct 3x3 stride 2", input: "f32[1,8,9,9]", weightDims: [12, 8, 3, 3], axis: 0,
      op: .conv(convAttributes(kernel: [3, 3], padding: .explicit([1, 1, 1, 1]), strides: [2, 2]))),
    Case(
      label: "pointwise", input: "f32[1,20,5,5]", weightDims: [14, 20, 1, 1], axis: 0,
      op: .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0])))),
    Case(
      label: "grouped 3x3", input: "f32[1,8,6,6]", weightDims: [16, 4, 3, 3], axis: 0,
      op: .conv(convAttributes(kernel: [3, 3], padding: .explicit([1, 1, 1, 1]), group: 2))),
    Case(
      label: "Gemm columns", input: "f32[3,10]", weightDims: [10, 7], axis: 1,
      op: .gemm(GemmAttributes(alpha: 1, beta: 1, transA: false, transB: false))),
  ]

  @Test(arguments: cases)
  func planOfDescribedWeightIsThePlanOfTheScaledWeight(_ testCase: Case) throws {
    let count = testCase.weightDims.reduce(1, *)
    let values = (0..<count).map { i in Float((i * 53) % 97 - 48) / 11 }
    let channels = testCase.weightDims[testCase.axis]
    let factors = (0..<channels).map { 0.7 + Double($0) * 0.37 }
    let inner = testCase.weightDims[(testCase.axis + 1)...].reduce(1, *)
    let storage = UnalignedStorage(values)
    let described = Constant(
      dtype: .float32, dims: testCase.weightDims,
      bytes: TensorBytes(scaling: ChannelScaling(source: storage.bytes, inner: inner, factors: factors)))
    let scaled = values.indices.map { i in Float(Double(values[i]) * factors[(i / inner) % channels]) }
    let computed = Constant(floats: scaled, dims: testCase.weightDims)
    let fromDescription = try plan(testCase, weight: described)
    let fromComputed = try plan(testCase, weight: computed)
    #expect(fromDescription == fromComputed)
  }

  /// The plan file of the test case's layer with `weight`.
  private func plan(_ testCase: Case, weight: Constant) throws -> [UInt8] {
    let b = GraphBuilder()
    let x = b.input(testCase.input)
    let w = b.graph.addConstant(name: "w", weight)
    let y = try b.value(testCase.op, [x, w, nil], name: "layer")
    return try compile(b, outputs: [y]).generated.bytes
  }
}
