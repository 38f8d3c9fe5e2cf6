/// A 3×3 convolution's weights in the Winograd domain, `U = G g Gᵀ` for every (output, input) channel pair,
/// packed for the GEMM microkernel: each group's `n²` frequencies are one `M × C` A operand each (`M` output
/// and `C` input channels per group), in `MR`-row panels over the whole reduction (`PackedPanels`' layout),
/// zero-padded past the last output channel. Frequency `ξ` of group `g` starts at `(g·n² + ξ) · panelFloats`.
/// Computed once when the plan loads; shared read-only by every runner.
final class WinogradWeights: @unchecked Sendable {
  let variant: WinogradVariant
  let groups: Int
  let outputChannelsPerGroup: Int
  let channelsPerGroup: Int
  /// Floats of one frequency's packed A operand.
  let panelFloats: Int
  private let memory: AlignedMemory

  init(
    _ weights: UnsafePointer<Float>, variant: WinogradVariant, groups: Int, outputChannelsPerGroup: Int,
    channelsPerGroup: Int
  ) throws(RuntimeError) {
    self.variant = variant
    self.groups = groups
    self.outputChannelsPerGroup = outputChannelsPerGroup
    self.channelsPerGroup = channelsPerGroup
    panelFloats = PackedPanels.floats(
      rows: outputChannelsPerGroup, depth: channelsPerGroup, width: GemmDriver.kernel.mr)
    let count = try WinogradWeights.floats(
      variant: variant, groups: groups, outputChannelsPerGroup: outputChannelsPerGroup,
      channelsPerGroup: channelsPerGroup)
    memory = try AlignedMemory.allocate(count * 4, for: "Winograd weights")
    WinogradWeights.transform(
      weights, variant: variant, groups: groups, outputChannelsPerGroup: outputChannelsPerGroup,
      channelsPerGroup: channelsPerGroup, into: memory.floats(count: count))
  }

  /// Frequency `frequency`'s A operand for `group`.
  func frequency(_ frequency: Int, group: Int) -> UnsafePointer<Float> {
    UnsafePointer(memory.base.assumingMemoryBound(to: Float.self)) + (group * variant.inputTile
      * variant.inputTile + frequency) * panelFloats
  }

  /// The size in floats of the transformed, packed weights.
  static func floats(
    variant: WinogradVariant, groups: Int, outputChannelsPerGroup: Int, channelsPerGroup: Int
  ) throws(RuntimeError) -> Int {
    let panel = PackedPanels.floats(rows: outputChannelsPerGroup, depth: channelsPerGroup, width: GemmDriver.kernel.mr)
    return try CheckedMath.product(
      [groups, variant.inputTile * variant.inputTile, panel], "Winograd weight size")
  }

  /// Transforms raw OIHW 3×3 weights (`groups · outputChannelsPerGroup` filters of `channelsPerGroup × 3 × 3`)
  /// into the packed layout above, `floats(...)` floats at `destination`. A pure function of its inputs (the
  /// products are formed in double and rounded once), so it can run when the plan is compiled as well as when
  /// it loads.
  static func transform(
    _ weights: UnsafePointer<Float>, variant: WinogradVariant, groups: Int, outputChannelsPerGroup: Int,
    channelsPerGroup: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    let n = variant.inputTile
    let mr = GemmDriver.kernel.mr
    let g = variant.filterTransform
    let panelFloats = PackedPanels.floats(rows: outputChannelsPerGroup, depth: channelsPerGroup, width: mr)
    destination.initialize(repeating: 0, count: groups * n * n * panelFloats)
    var filter = [Double](repeating: 0, count: 9)
    var half = [Double](repeating: 0, count: n * 3)
    for group in 0..<groups {
      for output in 0..<outputChannelsPerGroup {
        for channel in 0..<channelsPerGroup {
          let source = weights + ((group * outputChannelsPerGroup + output) * channelsPerGroup + channel) * 9
          for index in 0..<9 { filter[index] = Double(source[index]) }
          // half = G·g (n × 3), then U = half·Gᵀ (n × n).
          for row in 0..<n {
            for column in 0..<3 {
              half[row * 3 + column] =
                g[row][0] * filter[column] + g[row][1] * filter[3 + column] + g[row][2] * filter[6 + column]
            }
          }
          let offset = (output / mr) * channelsPerGroup * mr + channel * mr + output % mr
          for row in 0..<n {
            for column in 0..<n {
              let value =
                half[row * 3] * g[column][0] + half[row * 3 + 1] * g[column][1] + half[row * 3 + 2] * g[column][2]
              destination[((group * n * n) + row * n + column) * panelFloats + offset] = Float(value)
            }
          }
        }
      }
    }
  }
}
