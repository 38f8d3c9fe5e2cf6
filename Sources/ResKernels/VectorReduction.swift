/// A vector's lanes reduced to one value by halving: 16 → 8 → 4 → 2 → 1, each step one vector operation on
/// the two halves. The standard library's `sum()` and `max()` on a `SIMD16<Float>` go lane by lane (sixteen
/// dependent scalar operations); softmax does two reductions per row, and on ViT-tiny's 197-long attention rows
/// they were a third of the kernel's time.
///
/// The order of the additions is fixed (pairs of lanes `i` and `i + width/2` at every step), so a row always
/// gives the same bits, whichever thread runs it.
public enum VectorReduction {
  @inlinable @inline(__always)
  public static func sum(_ v: SIMD16<Float>) -> Float {
    let eight = v.lowHalf + v.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
  }

  /// The largest lane, by `>`, NaN lanes left out: NaN only when every lane is NaN. (Softmax's maximum
  /// pass leaves NaN out the same way; a NaN element then still makes its whole row NaN through the sum.)
  @inlinable @inline(__always)
  public static func maximum(_ v: SIMD16<Float>) -> Float {
    let (low8, high8) = (v.lowHalf, v.highHalf)
    let eight = low8.replacing(with: high8, where: (high8 .> low8) .| (low8 .!= low8))
    let (low4, high4) = (eight.lowHalf, eight.highHalf)
    let four = low4.replacing(with: high4, where: (high4 .> low4) .| (low4 .!= low4))
    let (low2, high2) = (four.lowHalf, four.highHalf)
    let two = low2.replacing(with: high2, where: (high2 .> low2) .| (low2 .!= low2))
    return two[1] > two[0] || two[0].isNaN ? two[1] : two[0]
  }
}
