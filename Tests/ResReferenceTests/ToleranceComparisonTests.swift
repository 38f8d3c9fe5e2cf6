import ResIR
import ResReference
import Testing

@Suite struct ToleranceComparisonTests {
  /// numpy's rule `|a − e| ≤ atol + rtol·|e|`, measured against the expected value.
  @Test func appliesNumpysRule() {
    let expected = f32([3], [100, 1, 0])
    let within = ToleranceComparison(actual: f32([3], [100.5, 1, 0.5]), expected: expected, rtol: 0.01, atol: 0.5)
    #expect(within.passed)
    #expect(within.maxAbsoluteError == 0.5)
    #expect(within.maxRelativeError == .infinity)
    let outside = ToleranceComparison(actual: f32([3], [102, 1, 0.5]), expected: expected, rtol: 0.01, atol: 0.5)
    #expect(!outside.passed)
    #expect(outside.mismatchCount == 1)
    #expect(outside.worstIndex == 0)
    #expect(outside.description.hasPrefix("failed: 1 of 3 elements differ, worst at index 0; max abs error 2.0"))
  }

  @Test func nanEqualsNanAndInfinitiesMustMatch() {
    let expected = f32([3], [.nan, .infinity, -.infinity])
    #expect(ToleranceComparison(actual: expected, expected: expected, rtol: 0, atol: 0).passed)
    let swapped = ToleranceComparison(
      actual: f32([3], [.nan, -.infinity, -.infinity]), expected: expected, rtol: 1, atol: 1)
    #expect(swapped.mismatchCount == 1)
    let finite = ToleranceComparison(actual: f32([3], [0, 1e30, -.infinity]), expected: expected, rtol: 1, atol: 1)
    #expect(finite.mismatchCount == 2)
    #expect(finite.maxAbsoluteError == .infinity)
  }

  @Test func shapesAndDtypesMustAgree() {
    let reshaped = ToleranceComparison(actual: f32([2, 1], [1, 2]), expected: f32([2], [1, 2]), rtol: 1, atol: 1)
    #expect(!reshaped.passed)
    #expect(reshaped.description == "failed: actual is f32[2,1], expected f32[2]")
    let retyped = ToleranceComparison(
      actual: tensor(.int64, [2], [1, 2]), expected: f32([2], [1, 2]), rtol: 1, atol: 1)
    #expect(retyped.structuralMismatch == "actual is i64[2], expected f32[2]")
  }

  @Test func integersCompareByValue() {
    let comparison = ToleranceComparison(
      actual: tensor(.int32, [3], [1, 2, 4]), expected: tensor(.int32, [3], [1, 2, 3]), rtol: 0, atol: 0)
    #expect(comparison.mismatchCount == 1)
    #expect(comparison.maxAbsoluteError == 1)
  }
}

/// The public tensor type: its initializers round to the dtype, and constants read back exactly.
@Suite struct ReferenceTensorTests {
  @Test func initializersRoundToTheDtype() {
    let f = ReferenceTensor(dtype: .float32, shape: [2], doubles: [0.1, 1e40])
    #expect(f.doubles == [Double(Float(0.1)), .infinity])
    let h = ReferenceTensor(dtype: .float16, shape: [1], integers: [2049])
    #expect(h.doubles == [2048])
    let i = ReferenceTensor(dtype: .int8, shape: [3], doubles: [-1.9, 300, .nan])
    #expect(i.storage == .integral([-1, 127, 0]))
    let b = ReferenceTensor(dtype: .bool, shape: [2], integers: [0, 7])
    #expect(b.storage == .integral([0, 1]))
  }

  @Test func constantsKeepTheirValues() {
    let big = Constant(int64s: [Int64.max, -3], dims: [2])
    #expect(ReferenceTensor(constant: big).storage == .integral([Int64.max, -3]))
    let halves = Constant(dtype: .float16, dims: [1, 2], doubles: [0.5, -1.25])
    let tensor = ReferenceTensor(constant: halves)
    #expect(tensor.dtype == .float16)
    #expect(tensor.shape == [1, 2])
    #expect(tensor.doubles == [0.5, -1.25])
  }
}
