/// The weight side of Winograd's `F(m×m, 3×3)` (Lavin & Gray, 2015), shared by the compiler, which writes the
/// transformed weights into the plan, and the runtime, which uses them in place (or transforms ONNX-layout
/// weights itself when a plan does not hold them transformed): which tile an output gets, and the filter
/// transform `U = G g Gᵀ` into the GEMM microkernel's A panels. Both sides computing it here keeps the plan's
/// bytes identical to what the runtime would produce.
///
/// The transformed weights of a `[M, C/g, 3, 3]` convolution are `groups · n²` matrices (`n = m + 2`) of
/// `M/g × C/g`: frequency `ξ` of group `q` is matrix `q·n² + ξ`, in the `PanelLayout`'s panels.
///
/// A 3×3 convolution at stride 2 has a transform of its own (`stride: 2`). Along one axis an output is
/// `g0·x[2i] + g1·x[2i+1] + g2·x[2i+2]`: a 2-tap convolution of the even inputs, computed by `F(4, 2)` (5
/// products for 8 multiplications), plus a 1-tap one of the odd inputs (4 products for 4). A 4×4 tile of
/// outputs then reads a 9×9 input tile and takes 9² = 81 products instead of 144 multiplications (1.78×);
/// its filter has only 6 distinct frequencies per axis (the 5 of `F(4, 2)` on `(g0, g2)`, and `g1`, which
/// all 4 odd products share), so it is stored as the `6²` matrices of stride 1's `F(4×4)`, and the runtime
/// maps each of its 81 products to one of them. With `F(2, 2)` instead a 2×2 tile reads a 5×5 input tile and
/// takes 25 products for 36 multiplications (1.44×), from `4²` matrices (`stridedOutputTile` picks).
public enum WinogradFilter {
  /// The output tiles `m` a plan may declare: `F(2×2)` and `F(4×4)`.
  public static let outputTiles = [2, 4]
  /// The output tiles of the stride-2 transform.
  public static let stridedOutputTiles = [2, 4]

  /// The stride-2 transform's output tile for a `height × width` output: 2 under 12 on a side (as at stride
  /// 1), else whichever tiling takes fewer products (81 per 4×4 tile, 25 per 2×2 one), 4 on a tie. A 14×14
  /// output pads to 16×16 in 4×4 tiles, 1,296 products against 1,225 in 2×2 tiles, whose transformed weights
  /// are also 16 matrices per channel pair rather than 36: in ResNet-50 (Zen 3, `ab_steps.py` paired rounds,
  /// 2×2 ÷ 4×4) layer3.0's 256-channel 3x3/2 0.886 / 0.876 of its time on one / two threads, ResNet-18's
  /// layer3.0.conv1 0.93; one-layer 3×3/2 + ReLU models at 14×14 out, 64 to 512 channels, 0.94–0.96 on one
  /// thread. At 28×28 (3,969 against 4,900) the 4×4 tile was 1.11–1.14x faster, at 12×12 (729 against 900)
  /// 1.04x.
  public static func stridedOutputTile(outputHeight: Int, outputWidth: Int) -> Int {
    guard min(outputHeight, outputWidth) >= 12 else { return 2 }
    func products(tile: Int, perTile: Double) -> Double {
      Double((outputHeight + tile - 1) / tile) * Double((outputWidth + tile - 1) / tile) * perTile
    }
    return products(tile: 2, perTile: 25) < products(tile: 4, perTile: 81) ? 2 : 4
  }

  /// The output tile `m` for a `height × width` output: 4 unless a 4×4 tile would leave much of it unused on a
  /// small output (ResNet's 7×7 stage: two tiles per side, 49 of 64 outputs used), then 2.
  public static func outputTile(outputHeight: Int, outputWidth: Int) -> Int {
    min(outputHeight, outputWidth) >= 12 ? 4 : 2
  }

  /// The layout of the transformed weights of `groups` groups of `rows` output and `depth` input channels in
  /// `width`-row panels, or nil when a size overflows.
  public static func layout(
    outputTile: Int, stride: Int = 1, groups: Int, rows: Int, depth: Int, width: Int
  ) -> PanelLayout? {
    let n = outputTile + 2
    let (matrices, o1) = groups.multipliedReportingOverflow(by: n * n)
    let (filterFloats, o2) = depth.multipliedReportingOverflow(by: 9)
    let (groupFloats, o3) = filterFloats.multipliedReportingOverflow(by: rows)
    guard !(o1 || o2 || o3) else { return nil }
    return PanelLayout(
      width: width, matrices: matrices, rows: rows, depth: depth, matrixStride: groupFloats, rowStride: filterFloats,
      depthStride: 9, winogradOutputTile: outputTile, winogradStride: stride)
  }

  /// Transforms the OIHW 3×3 weights at `weights` into `layout` (a layout from `layout(...)`), its
  /// `floatCount` floats at `destination`. A pure function of its inputs: the products are formed in double
  /// and rounded once.
  public static func transform(
    _ weights: UnsafePointer<Float>, layout: PanelLayout, into destination: UnsafeMutablePointer<Float>
  ) {
    transform(PlainPackingSource(base: weights), layout: layout, into: destination)
  }

  /// `transform(_:layout:into:)` of the weights `source` reads (scaled per output channel, for the compiler's
  /// batch-norm-folded weights).
  static func transform<Source: PackingSource>(
    _ source: Source, layout: PanelLayout, into destination: UnsafeMutablePointer<Float>
  ) {
    let n = layout.winogradOutputTile + 2
    let strided = layout.winogradStride == 2
    let width = layout.width
    let (rows, depth, panelFloats) = (layout.rows, layout.depth, layout.floatsPerMatrix)
    let block = channelBlock
    withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: n * 3 + n * n) { vectors in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: n * n * block * width) { floats in
        guard let scratch = vectors.baseAddress, let local = floats.baseAddress else { return }
        for group in 0..<(layout.matrices / (n * n)) {
          for panelStart in stride(from: 0, to: rows, by: width) {
            let outputs = min(width, rows - panelStart)
            // Rows past the last output channel stay zero.
            if outputs < width { local.initialize(repeating: 0, count: n * n * block * width) }
            let panel = destination + group * n * n * panelFloats + panelStart * depth
            for blockStart in stride(from: 0, to: depth, by: block) {
              let channels = min(block, depth - blockStart)
              for channel in 0..<channels {
                for lane in stride(from: 0, to: outputs, by: lanes) {
                  let filter = group * layout.matrixStride + (panelStart + lane) * layout.rowStride
                    + (blockStart + channel) * layout.depthStride
                  transformFilters(
                    source, at: filter, row: group * rows + panelStart + lane, count: min(lanes, outputs - lane),
                    filterStride: layout.rowStride, n: n, strided: strided, into: local + channel * width + lane,
                    frequencyStride: block * width, scratch: scratch)
                }
              }
              for frequency in 0..<(n * n) {
                (panel + frequency * panelFloats + blockStart * width).update(
                  from: local + frequency * block * width, count: channels * width)
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

  /// Filters transformed at once, one per lane: consecutive output channels, which are adjacent in a panel, so
  /// each frequency is stored as one vector.
  private static let lanes = 8

  /// `G g Gᵀ` of the 3×3 filters of one input channel and `count` (1 to `lanes`) consecutive output channels,
  /// `filterStride` floats apart, one per lane: the 1-D transform of each column (`n × 3`), then of each row
  /// of that. Frequency `ξ` of lane `j` goes to `destination[ξ·frequencyStride + j]`; `scratch` holds
  /// `n·3 + n²` vectors. Each lane runs the same IEEE operations in the same order as one filter at a time
  /// would, so the bits do not depend on the lane.
  @inline(__always)
  private static func transformFilters<Source: PackingSource>(
    _ source: Source, at filter: Int, row: Int, count: Int, filterStride: Int, n: Int, strided: Bool,
    into destination: UnsafeMutablePointer<Float>, frequencyStride: Int, scratch: UnsafeMutablePointer<SIMD8<Double>>
  ) {
    func tap(_ index: Int) -> SIMD8<Double> {
      source.eightElements(at: filter &+ index, stride: filterStride, row: row, count: count)
    }
    let half = scratch
    let frequencies = scratch + n * 3
    for column in 0..<3 {
      transformRow(tap(column), tap(3 + column), tap(6 + column), n: n, strided: strided, into: half + column, stride: 3)
    }
    for row in 0..<n {
      transformRow(
        half[row * 3], half[row * 3 + 1], half[row * 3 + 2], n: n, strided: strided, into: frequencies + row * n,
        stride: 1)
    }
    for frequency in 0..<(n * n) {
      // All lanes rounded by one conversion, then stored as one vector where all are filters.
      let values = SIMD8<Float>(frequencies[frequency])
      let target = destination + frequency &* frequencyStride
      if count == lanes {
        UnsafeMutableRawPointer(target).storeBytes(of: values, as: SIMD8<Float>.self)
      } else {
        for lane in 0..<count { target[lane] = values[lane] }
      }
    }
  }

  /// `G (g0, g1, g2)`: the `n` frequencies of one row or column of a 3×3 filter, written to
  /// `destination[i·stride]`. `F(2×2)` interpolates at 0, ±1, ∞ (coefficients 0, ±1 and ½); `F(4×4)` at 0,
  /// 1, −1, ½, −2, ∞ (coefficients ⅓, 4/15 and 1/15; `WinogradVariant.f4x4` says why these points). The
  /// row order is the points' order, which the runtime's input and output transforms share. Multiplications
  /// by the coefficients, not divisions: in
  /// double the two differ by at most an ulp of the double, far below the float each frequency is rounded to,
  /// and the divisions were most of the compiler's time on ResNet-50. The stride-2 transform (`strided`, `n`
  /// 6) is `F(4, 2)`'s `G` on `(g0, g2)` (points 0, 1, −1, 2, ∞: coefficients ½, ⅙ and ⅓), then `g1`; with
  /// `n` 4, `F(2, 2)`'s (points 0, 1, ∞: `g0`, `g0 + g2`, `g2`), then `g1`.
  @inline(__always)
  private static func transformRow(
    _ g0: SIMD8<Double>, _ g1: SIMD8<Double>, _ g2: SIMD8<Double>, n: Int, strided: Bool,
    into destination: UnsafeMutablePointer<SIMD8<Double>>, stride: Int
  ) {
    if strided && n == 4 {
      destination[0] = g0
      destination[stride] = g0 + g2
      destination[2 * stride] = g2
      destination[3 * stride] = g1
    } else if strided {
      let sixth = 1.0 / 6.0
      destination[0] = g0 * 0.5
      destination[stride] = (g0 + g2) * -0.5
      destination[2 * stride] = (g2 - g0) * sixth
      destination[3 * stride] = g0 * sixth + g2 * (1.0 / 3.0)
      destination[4 * stride] = g2
      destination[5 * stride] = g1
    } else if n == 4 {
      destination[0] = g0
      destination[stride] = (g0 + g1 + g2) * 0.5
      destination[2 * stride] = (g0 - g1 + g2) * 0.5
      destination[3 * stride] = g2
    } else {
      let third = 1.0 / 3.0
      let outer = g0 + g2
      destination[0] = g0
      destination[stride] = (outer + g1) * third
      destination[2 * stride] = (outer - g1) * -third
      destination[3 * stride] = (g0 * 4 + g1 * 2 + g2) * (-4.0 / 15.0)
      destination[4 * stride] = (g0 - g1 * 2 + g2 * 4) * (1.0 / 15.0)
      destination[5 * stride] = g2
    }
  }
}
