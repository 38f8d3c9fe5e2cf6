/// Which Winograd output tile `F(m×m, 3×3)` the compiler transforms a plan's 3×3 weights for (`--winograd-tile`).
///
/// A larger tile does fewer multiplications per output (`F(4×4)`: 36 per 16 outputs, 4× fewer than the direct
/// sum; `F(2×2)`: 16 per 4, 2.25×) but its transforms multiply by larger constants (up to 5 on the input and 8
/// on the output), so its rounding error is larger: on ResNet-50 the fixture's largest error against the
/// reference was 3.9e-5 with `F(4×4)` on the planes of at least 12 and 1.8e-5 with `F(2×2)` everywhere, for
/// 2.4 % more time on one thread (Zen 4). The choice changes only the weights' transform, never which method a
/// step runs: the runtime derives the method from the geometry alone and computes in whichever tile the plan's
/// weights were transformed for (`ConvMethod.weightLayout(_:widths:recorded:)`). The stride-2 transform follows
/// it too, with its own automatic choice (`WinogradFilter.stridedOutputTile`).
public enum WinogradTilePolicy: String, Sendable, Hashable, CaseIterable {
  /// `F(4×4)` on output planes of at least 12 on a side, `F(2×2)` on smaller ones, where a 4×4 tile would leave
  /// much of its outputs unused (the default; `WinogradFilter.outputTile`).
  case automatic = "auto"
  /// `F(2×2)` everywhere: about two thirds of the error, for a little more time.
  case two = "2"
  /// `F(4×4)` everywhere, even on small planes.
  case four = "4"

  /// The policy that yields output tile `m` everywhere, nil for a tile the runtime does not have.
  public init?(outputTile: Int) {
    switch outputTile {
    case 2: self = .two
    case 4: self = .four
    default: return nil
    }
  }

  /// The output tile `m` of a `height × width` output under this policy.
  public func outputTile(outputHeight: Int, outputWidth: Int) -> Int {
    switch self {
    case .automatic: WinogradFilter.outputTile(outputHeight: outputHeight, outputWidth: outputWidth)
    case .two: 2
    case .four: 4
    }
  }

  /// The stride-2 transform's output tile for a `height × width` output under this policy.
  public func stridedOutputTile(outputHeight: Int, outputWidth: Int) -> Int {
    switch self {
    case .automatic: WinogradFilter.stridedOutputTile(outputHeight: outputHeight, outputWidth: outputWidth)
    case .two: 2
    case .four: 4
    }
  }
}
