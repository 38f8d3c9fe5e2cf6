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
    let block = channelBlock
    withUnsafeTemporaryAllocation(of: Double.self, capacity: n * 3 + n * n) { doubles in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: n * n * block * mr) { floats in
        let scratch = doubles.baseAddress!
        let local = floats.baseAddress!
        for group in 0..<groups {
          for panelStart in stride(from: 0, to: outputChannelsPerGroup, by: mr) {
            let outputs = panelStart..<min(panelStart + mr, outputChannelsPerGroup)
            // Rows past the last output channel stay zero.
            if outputs.count < mr { local.initialize(repeating: 0, count: n * n * block * mr) }
            let panel = destination + group * n * n * panelFloats + panelStart * channelsPerGroup
            for blockStart in stride(from: 0, to: channelsPerGroup, by: block) {
              let channels = min(block, channelsPerGroup - blockStart)
              for channel in 0..<channels {
                for output in outputs {
                  let filter =
                    weights + ((group * outputChannelsPerGroup + output) * channelsPerGroup + blockStart + channel) * 9
                  transformFilter(
                    filter, variant, into: local + channel * mr + output - panelStart, stride: block * mr,
                    scratch: scratch)
                }
              }
              for frequency in 0..<(n * n) {
                (panel + frequency * panelFloats + blockStart * mr).update(
                  from: local + frequency * block * mr, count: channels * mr)
              }
            }
          }
        }
      }
    }
  }

  /// Input channels transformed into a local buffer before their rows of every frequency are copied out.
  /// Writing each filter's `n²` values straight to the panels stored to `n²` addresses a power of two
  /// apart (ResNet's panels are 64–1024 KB), which share one set of the first-level cache: most of the
  /// transform's time on ResNet-50 went to those conflicts.
  private static let channelBlock = 32

  /// `G g Gᵀ` of one 3×3 filter, frequency `ξ` written to `destination[ξ·stride]`: the 1-D transform of each
  /// column (`n × 3`), then of each row of that; `scratch` holds `n·3 + n²` doubles.
  @inline(__always)
  private static func transformFilter(
    _ filter: UnsafePointer<Float>, _ variant: WinogradVariant, into destination: UnsafeMutablePointer<Float>,
    stride: Int, scratch: UnsafeMutablePointer<Double>
  ) {
    let n = variant.inputTile
    let half = scratch
    let frequencies = scratch + n * 3
    for column in 0..<3 {
      variant.transformFilter(
        Double(filter[column]), Double(filter[3 + column]), Double(filter[6 + column]), into: half + column, stride: 3)
    }
    for row in 0..<n {
      variant.transformFilter(
        half[row * 3], half[row * 3 + 1], half[row * 3 + 2], into: frequencies + row * n, stride: 1)
    }
    for frequency in 0..<(n * n) { destination[frequency * stride] = Float(frequencies[frequency]) }
  }
}
