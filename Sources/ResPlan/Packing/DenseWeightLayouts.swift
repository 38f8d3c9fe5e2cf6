/// Which panel layout a constant Gemm or MatMul operand is read in: the rule both the compiler (packing the
/// plan) and the runtime (deciding whether the plan's bytes can be used in place) apply.
public enum DenseWeightLayouts {
  /// Gemm's A (`[M, K]`, or `[K, M]` when transposed) in `MR`-row panels over the whole reduction.
  public static func gemmA(m: Int, k: Int, transposed: Bool, widths: PanelWidths) -> PanelLayout {
    PanelLayout(
      width: widths.gemmRows, matrices: 1, rows: m, depth: k, matrixStride: 0, rowStride: transposed ? 1 : k,
      depthStride: transposed ? m : 1)
  }

  /// Gemm's B (`[K, N]`, or `[N, K]` when transposed) in `NR`-column panels.
  public static func gemmB(k: Int, n: Int, transposed: Bool, widths: PanelWidths) -> PanelLayout {
    PanelLayout(
      width: widths.gemmColumns, matrices: 1, rows: n, depth: k, matrixStride: 0, rowStride: transposed ? k : 1,
      depthStride: transposed ? 1 : n)
  }

  /// MatMul's B (`[batch..., K, N]`), each of its `matrices` matrices in `NR`-column panels.
  public static func matMulB(matrices: Int, k: Int, n: Int, widths: PanelWidths) -> PanelLayout {
    PanelLayout(
      width: widths.gemmColumns, matrices: matrices, rows: n, depth: k, matrixStride: k * n, rowStride: 1,
      depthStride: n)
  }
}
