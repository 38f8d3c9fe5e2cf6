import ResIR
import ResTestSupport
import Testing

@Suite struct ReconcileTests {
  private func reconcile(_ inferred: String, _ declared: String) throws -> String {
    try TensorType.spelled(inferred).reconciled(withDeclared: TensorType.spelled(declared)).description
  }

  @Test func moreSpecificDimensionWins() throws {
    #expect(try reconcile("f32[?,64,?]", "f32[N,?,7]") == "f32[N,64,7]")
    #expect(try reconcile("f32[N,64]", "f32[1,64]") == "f32[1,64]")
    #expect(try reconcile("f32[N,64]", "f32[?,?]") == "f32[N,64]")
    #expect(try reconcile("f32[N,64]", "f32[batch,64]") == "f32[N,64]")
    #expect(try reconcile("f32[]", "f32[]") == "f32[]")
  }

  @Test func contradictionsThrow() {
    let mismatch = modelError { _ = try reconcile("f32[N,64]", "f32[N,32]") }
    #expect(mismatch?.message == "declared type f32[N,32] disagrees with inferred f32[N,64] on axis 1")
    #expect(mismatch?.node == nil)
    #expect(
      errorMessage { _ = try reconcile("f32[N,64]", "f32[N,64,1]") }
        == "declared type f32[N,64,1] has rank 3, inferred f32[N,64] has rank 2")
    #expect(
      errorMessage { _ = try reconcile("f32[N,64]", "f16[N,64]") }
        == "declared type f16[N,64] has element type float16, inferred f32[N,64] has float")
  }
}
