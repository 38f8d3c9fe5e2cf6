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
    let panelFloats = PackedPanels.floats(rows: outputChannelsPerGroup, depth: channelsPerGroup, width: mr)
    destination.initialize(repeating: 0, count: groups * n * n * panelFloats)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: n * 3 + n * n) { buffer in
      // half = G·g (n × 3), then U = half·Gᵀ (n × n): each a 1-D filter transform per column, then per row.
      let half = buffer.baseAddress!
      let frequencies = half + n * 3
      for group in 0..<groups {
        for output in 0..<outputChannelsPerGroup {
          for channel in 0..<channelsPerGroup {
            let filter = weights + ((group * outputChannelsPerGroup + output) * channelsPerGroup + channel) * 9
            for column in 0..<3 {
              variant.transformFilter(
                Double(filter[column]), Double(filter[3 + column]), Double(filter[6 + column]), into: half + column,
                stride: 3)
            }
            for row in 0..<n {
              variant.transformFilter(
                half[row * 3], half[row * 3 + 1], half[row * 3 + 2], into: frequencies + row * n, stride: 1)
            }
            let target = destination + group * n * n * panelFloats + (output / mr) * channelsPerGroup * mr
              + channel * mr + output % mr
            for frequency in 0..<(n * n) { target[frequency * panelFloats] = Float(frequencies[frequency]) }
          }
        }
      }
    }
  }
}
