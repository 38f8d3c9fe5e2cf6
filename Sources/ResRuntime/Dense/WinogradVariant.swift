import ResKernels
import ResPlan

/// A Winograd minimal-filtering algorithm `F(m×m, 3×3)` (Lavin & Gray, 2015): an `m × m` block of outputs of
/// a 3×3 convolution from an `n × n` input tile (`n = m + 2`) with `n²` products instead of `9m²`, as
/// `Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`. The weight side (`G g Gᵀ`, and which `m` an output gets) is ResPlan's
/// `WinogradFilter`, shared with the compiler; the input and output transforms are here.
///
/// The 1-D transforms below act on 16 tiles at once (one tile per vector lane) and are written out by hand:
/// a generic matrix product would multiply by every zero and one of B and A, which would cost as much as
/// the saved multiplications on layers with few channels. Each reads `n` (or `n`) vectors `stride` floats
/// apart and writes its results `stride` floats apart, so one function serves the row and the column pass.
/// Their local load and store helpers are `@inline(__always)` too: left to the optimizer, the output
/// transform's stayed out of line in the channels-last operator and passed every vector as four 128-bit
/// pieces through the stack (ResNet-50's F(4x4) layers 13 % slower, 10.75 against 9.39 ms on one thread).
enum WinogradVariant: Sendable, CaseIterable {
  /// `F(2×2, 3×3)`, interpolation points 0, ±1, ∞: 16 products for 36 multiplications (2.25×), with
  /// coefficients 0 and ±1 only, so its rounding error is close to the direct method's.
  case f2x2
  /// `F(4×4, 3×3)`, points 0, 1, −1, ½, −2, ∞: 36 products for 144 multiplications (4×). The larger
  /// coefficients (up to 8 in A) cost a few bits of rounding error. Lavin's points 0, ±1, ±2, ∞ put 4 and 5 in
  /// B and 8 in A; trading +2 for +½ (Barabasz et al., "Error analysis and improving the accuracy of
  /// Winograd convolution for deep neural networks", 2020) keeps B within 2.5 and roughly halves the error:
  /// a float32 model of these transforms over 256 input channels (unit-variance inputs, He-scaled filters),
  /// error of a 4×4 tile relative to its largest output, mean / worst of 300 tiles, 4.1e-6 / 2.1e-5 →
  /// 2.4e-6 / 8.2e-6 (the direct sum 1.0e-6 / 2.5e-6; 64 channels 2.2e-6 → 1.3e-6, 1024 7.9e-6 → 4.7e-6).
  /// The coefficients of A and B stay powers of two or sums of two of them (G's thirds and fifteenths are
  /// applied once, in double, when the weights are packed), so the transforms cost about what Lavin's did.
  case f4x4
  /// A 3×3 convolution at stride 2 (`WinogradFilter`'s stride-2 transform): along each axis `F(4, 2)` (points
  /// 0, 1, −1, 2, ∞) on the even inputs and taps, and the odd tap alone on the odd inputs, so a
  /// 4×4 output tile reads a 9×9 input tile and takes 81 products for 144 multiplications (1.78×). Its
  /// coefficients (up to 8 in A, 3 in B) and its shorter 2-tap transform round less than `f4x4`'s.
  case f4x4Stride2
  /// The same construction with `F(2, 2)` (points 0, 1, ∞: products `(e0 − e1)·g0`, `e1·(g0 + g2)`,
  /// `(e2 − e1)·g2`) on the even inputs: a 2×2 output tile reads a 5×5 input tile and takes 25 products for 36
  /// multiplications (1.44×), with coefficients 0 and ±1 only. Its filter has 4 distinct frequencies per axis,
  /// so its weights are 16 matrices per channel pair against `f4x4Stride2`'s 36, and a small output pads less
  /// (a 7×7 output is 16 tiles covering 8×8).
  case f2x2Stride2

  /// The variants of a stride-1 convolution, which the NCHW `WinogradConvolution` computes too.
  static let unitStride: [WinogradVariant] = [.f2x2, .f4x4]

  /// The variant computing `m × m` output tiles of a convolution at `stride`, nil for a pair there is none
  /// for. (Which `m` an output gets is `WinogradFilter.outputTile`, and reaches here through the weights'
  /// layout.)
  init?(outputTile: Int, stride: Int = 1) {
    guard let variant = Self.allCases.first(where: { $0.outputTile == outputTile && $0.stride == stride }) else {
      return nil
    }
    self = variant
  }

  /// `F(4x4,3x3)`, for profiles.
  var label: String { "F(\(outputTile)x\(outputTile),3x3)" + (stride == 1 ? "" : " stride \(stride)") }

  /// Outputs per tile side (`m`).
  var outputTile: Int {
    switch self {
    case .f2x2, .f2x2Stride2: 2
    case .f4x4, .f4x4Stride2: 4
    }
  }

  /// The convolution's stride along both axes.
  var stride: Int {
    switch self {
    case .f2x2, .f4x4: 1
    case .f2x2Stride2, .f4x4Stride2: 2
    }
  }

  /// Inputs per tile side (`n = m + 2`, at stride 2 `2m + 1`); a tile has `n²` frequencies, the products.
  var inputTile: Int { stride == 1 ? outputTile + 2 : 2 * outputTile + 1 }

  /// Distinct weight frequencies per tile side: `m + 2` (`WinogradFilter`'s matrices per group are their
  /// square). At stride 1 each product has its own; at stride 2 the `m` odd products of an axis share one.
  var weightTile: Int { outputTile + 2 }

  /// The weight frequency (of `weightTile²`) that product frequency `frequency` (of `inputTile²`) multiplies.
  @inline(__always)
  func weightFrequency(_ frequency: Int) -> Int {
    guard stride == 2 else { return frequency }
    let (row, column) = (frequency / inputTile, frequency % inputTile)
    return min(row, weightTile - 1) * weightTile + min(column, weightTile - 1)
  }

  /// `Bᵀ d` for `n` vectors `d` (`source[i·stride]`), written to `destination[i·destinationStride]`.
  @inline(__always)
  func transformInput(
    _ source: UnsafePointer<Float>, stride: Int, into destination: UnsafeMutablePointer<Float>,
    destinationStride: Int
  ) {
    @inline(__always) func d(_ index: Int) -> SIMD16<Float> { VectorAccess.load(source + index * stride) }
    @inline(__always) func store(_ value: SIMD16<Float>, _ index: Int) {
      VectorAccess.store(value, destination + index * destinationStride)
    }
    switch self {
    case .f2x2:
      let (d0, d1, d2, d3) = (d(0), d(1), d(2), d(3))
      store(d0 - d2, 0)
      store(d1 + d2, 1)
      store(d2 - d1, 2)
      store(d1 - d3, 3)
    case .f4x4:
      // Rows of Bᵀ: d0 − 1.5d1 − 2d2 + 1.5d3 + d4, −d1 + ½d2 + 2.5d3 + d4, d1 − 2.5d2 + ½d3 + d4,
      // −2d1 − d2 + 2d3 + d4, ½d1 − d2 − ½d3 + d4, d1 − 1.5d2 − 2d3 + 1.5d4 + d5.
      let (d0, d1, d2, d3, d4, d5) = (d(0), d(1), d(2), d(3), d(4), d(5))
      let c = d4 - d2
      let e = d3 - d1
      let threeHalves: Float = 1.5
      store((d0 - d2) + c + e * threeHalves, 0)
      store(c + e + (d2 + d3) * threeHalves, 1)
      store(c - e + (d3 - d2) * threeHalves, 2)
      store(c + e * 2, 3)
      store(c - e * 0.5, 4)
      store((d5 - d3) - e + c * threeHalves, 5)
    case .f4x4Stride2:
      // `F(4, 2)`'s Bᵀ on the even inputs (rows 2e0 − e1 − 2e2 + e3, −2e1 − e2 + e3, 2e1 − 3e2 + e3, e3 − e1,
      // 2e1 − e2 − 2e3 + e4), then the odd inputs as they are.
      let (e0, e1, e2, e3, e4) = (d(0), d(2), d(4), d(6), d(8))
      let twiceE1 = e1 + e1
      let inner = e3 - e2
      store((e0 - e2) * 2 - e1 + e3, 0)
      store(inner - twiceE1, 1)
      store(twiceE1 + inner - e2 - e2, 2)
      store(e3 - e1, 3)
      store(twiceE1 - e2 - e3 - e3 + e4, 4)
      store(d(1), 5)
      store(d(3), 6)
      store(d(5), 7)
      store(d(7), 8)
    case .f2x2Stride2:
      // `F(2, 2)`'s Bᵀ on the even inputs (rows e0 − e1, e1, e2 − e1), then the odd inputs as they are.
      let (e0, e1, e2) = (d(0), d(2), d(4))
      store(e0 - e1, 0)
      store(e1, 1)
      store(e2 - e1, 2)
      store(d(1), 3)
      store(d(3), 4)
    }
  }

  /// `Aᵀ p` for `n` vectors `p` (`source[i·stride]`): `m` vectors written to `destination[i·destinationStride]`.
  @inline(__always)
  func transformOutput(
    _ source: UnsafePointer<Float>, stride: Int, into destination: UnsafeMutablePointer<Float>,
    destinationStride: Int
  ) {
    @inline(__always) func p(_ index: Int) -> SIMD16<Float> { VectorAccess.load(source + index * stride) }
    @inline(__always) func store(_ value: SIMD16<Float>, _ index: Int) {
      VectorAccess.store(value, destination + index * destinationStride)
    }
    switch self {
    case .f2x2:
      let (p0, p1, p2, p3) = (p(0), p(1), p(2), p(3))
      store(p0 + p1 + p2, 0)
      store(p1 - p2 - p3, 1)
    case .f4x4:
      // Rows of Aᵀ: the powers 0 to 3 of each point (0, 1, −1, ½, −2), and p5 in the last.
      let (p0, p1, p2, p3, p4, p5) = (p(0), p(1), p(2), p(3), p(4), p(5))
      let a = p1 + p2
      let b = p1 - p2
      store(p0 + a + p3 + p4, 0)
      store(b + p3 * 0.5 - p4 * 2, 1)
      store(a + p3 * 0.25 + p4 * 4, 2)
      store(b + p3 * 0.125 - p4 * 8 + p5, 3)
    case .f4x4Stride2:
      // `F(4, 2)`'s Aᵀ on the even products (points 0, 1, −1, 2, ∞), plus each odd product.
      let (p0, p1, p2, p3, p4) = (p(0), p(1), p(2), p(3), p(4))
      let a = p1 + p2
      let b = p1 - p2
      store(p0 + a + p3 + p(5), 0)
      store(b + p3 * 2 + p(6), 1)
      store(a + p3 * 4 + p(7), 2)
      store(b + p3 * 8 + p4 + p(8), 3)
    case .f2x2Stride2:
      // `F(2, 2)`'s Aᵀ on the even products (rows p0 + p1, p1 + p2), plus each odd product.
      let (p0, p1, p2) = (p(0), p(1), p(2))
      store(p0 + p1 + p(3), 0)
      store(p1 + p2 + p(4), 1)
    }
  }
}
