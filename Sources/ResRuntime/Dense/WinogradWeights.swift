import ResPlan

/// A 3×3 convolution's weights in the Winograd domain, `U = G g Gᵀ` for every (output, input) channel pair,
/// in GEMM panels: each group's `n²` frequencies are one `M × C` operand each (`M` output and `C` input
/// channels per group), in panels of `width` output channels over the whole reduction, zero-padded past the
/// last output channel (`WinogradFilter.layout`, the layout a compiled plan stores them in). Frequency `ξ` of
/// group `g` starts at `(g·n² + ξ) · panelFloats`. The width is the GEMM microkernel's `MR` when the weights
/// are its A operand (`WinogradConvolution`, NCHW) and its `NR` when they are its B operand
/// (`ChannelsLastWinograd`: output channels on the vector lanes).
///
/// The plan's transformed bytes are used in place when they are in exactly this layout (no copy, no page
/// touched before a run reads them); weights in ONNX layout (a hand-written plan) are transformed once at
/// load (`WinogradFilter.transform`, the compiler's function, so both give the same bits). Shared read-only
/// by every runner.
final class WinogradWeights: @unchecked Sendable {
  let layout: PanelLayout
  let variant: WinogradVariant
  /// Whether the weights are the plan's bytes, used in place.
  let isBorrowed: Bool
  private let base: UnsafePointer<Float>
  /// The transformed weights when they were computed at load; keeps `base` alive.
  private let memory: AlignedMemory?

  /// The plan's transformed weights at `source` (`layout.floatCount` floats, a validated layout), in place.
  init(borrowing source: UnsafePointer<Float>, layout: PanelLayout) throws(RuntimeError) {
    self.layout = layout
    variant = try Self.variant(of: layout)
    isBorrowed = true
    base = source
    memory = nil
  }

  /// The ONNX-layout `[M, C/g, 3, 3]` weights at `source` transformed now into `layout`.
  init(transforming source: UnsafePointer<Float>, layout: PanelLayout) throws(RuntimeError) {
    self.layout = layout
    variant = try Self.variant(of: layout)
    let bytes = try CheckedMath.multiply(layout.floatCount, 4, "Winograd weight size")
    let memory = try AlignedMemory.allocate(bytes, for: "Winograd weights")
    WinogradFilter.transform(source, layout: layout, into: memory.floats(count: layout.floatCount))
    isBorrowed = false
    base = UnsafePointer(memory.floats(count: layout.floatCount))
    self.memory = memory
  }

  var groups: Int { layout.matrices / (variant.weightTile * variant.weightTile) }
  var outputChannelsPerGroup: Int { layout.rows }
  var channelsPerGroup: Int { layout.depth }

  /// The operand product frequency `frequency` (of `variant.inputTile²`) multiplies for `group`: its weight
  /// frequency's matrix (`WinogradVariant.weightFrequency`).
  func frequency(_ frequency: Int, group: Int) -> UnsafePointer<Float> {
    base + (group * variant.weightTile * variant.weightTile + variant.weightFrequency(frequency))
      * layout.floatsPerMatrix
  }

  /// The panel widths the runtime computes with: `WinogradConvolution`'s and `ChannelsLastWinograd`'s.
  static let panelWidths = [WinogradConvolution.kernel.mr, ChannelsLastWinograd.lanes]

  private static func variant(of layout: PanelLayout) throws(RuntimeError) -> WinogradVariant {
    guard let variant = WinogradVariant(outputTile: layout.winogradOutputTile, stride: layout.winogradStride),
      panelWidths.contains(layout.width)
    else { throw .invalidPlan("Winograd weights in \(layout) are not a layout this runtime computes with") }
    return variant
  }
}
