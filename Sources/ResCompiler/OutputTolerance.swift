import ResIR

/// How far a compiled model's output may be from the expected one and still pass: numpy's `isclose`,
/// `|actual − expected| ≤ atol + rtol·|expected|`, for `rescompile check` and `--verify-each`.
///
/// The defaults follow the narrowest float type the model computes in. A float32 model's optimized plan
/// agrees with its reference to float32 rounding reordered by fusion and Winograd (a folded BatchNorm scales
/// weights before the convolution rather than its result after). A model that rounds its activations to
/// float16 between ops (the usual fp16 conversion, `onnxconverter_common.float16`) agrees with any other
/// runtime only to float16's 11 significant bits, compounded layer after layer: converted from the project's
/// full-size fixtures, onnxruntime's own fp16 outputs sat up to 0.0029 (ResNet-18), 0.035 (ResNet-50, logits
/// up to 3.3), 0.0084 (MobileNetV2) and 0.022 (transformer encoder, outputs up to 16) from the float32 model's,
/// and rescompile's as far, in either direction (it folds BatchNorm into the convolution before rounding
/// once, where onnxruntime rounds after each).
public struct OutputTolerance: Sendable, Hashable, CustomStringConvertible {
  public var rtol: Double
  public var atol: Double

  public init(rtol: Double, atol: Double) {
    self.rtol = rtol
    self.atol = atol
  }

  /// For models that compute in float32 or wider.
  public static let float32 = OutputTolerance(rtol: 1e-3, atol: 1e-4)

  /// For models with float16 values: ten times float32's relative tolerance, and an absolute one that covers
  /// the measured fp16 drift of unit-scale outputs (above) with room.
  public static let float16 = OutputTolerance(rtol: 1e-2, atol: 5e-2)

  /// The default for `graph`: `float16` when any of its values is float16, else `float32`.
  public static func defaults(for graph: Graph) -> OutputTolerance {
    narrowestFloat(in: graph) == .float16 ? .float16 : .float32
  }

  /// The narrowest float type among `graph`'s values (nil when it has none).
  public static func narrowestFloat(in graph: Graph) -> DType? {
    let floats = Set(graph.values.map(\.type.dtype).filter(\.isFloatingPoint))
    return [DType.float16, .float32, .float64].first { floats.contains($0) }
  }

  /// `rtol R, atol A`.
  public var description: String { "rtol \(rtol), atol \(atol)" }
}
