/// Work fused into the end of a convolution, matrix multiply or per-channel scale and shift, applied while the
/// output tile is still in registers: bias first (the op's bias operand, or ScaleShift's shift), then the
/// residual add, then the activation.
///
/// An empty epilogue is what every imported node has; the optimizer fills it in.
public struct Epilogue: Sendable, Hashable {
  /// The op's residual operand is in use: `y = act(op(x) + bias + residual)`. The residual must have exactly
  /// the output's shape (a broadcast operand is never a residual).
  public var residual: Bool
  public var activation: Activation?

  public init(residual: Bool = false, activation: Activation? = nil) {
    self.residual = residual
    self.activation = activation
  }

  public static let none = Epilogue()
  public var isEmpty: Bool { !residual && activation == nil }
}

/// An activation an epilogue can apply.
public enum Activation: Sendable, Hashable {
  case relu
  /// Clamp to `[min, max]`; ReLU6 is `clip(0, 6)`.
  case clip(min: Float, max: Float)
  case leakyRelu(alpha: Float)
  case sigmoid
  case tanh
  case hardSigmoid(alpha: Float, beta: Float)
  case hardSwish
  /// `x · sigmoid(x)`.
  case silu
  /// `x · tanh(softplus(x))`.
  case mish
  /// `x < 0 ? alpha · (exp(x) − 1) : x`.
  case elu(alpha: Float)
  case gelu(GeluApproximation)
  /// `clamp(round(x · scale), min, max)`, rounding half to even: a quantized operator's requantization of its
  /// exact integer sums to the next tensor's centred levels (`fuse-requantization`). The product is one float32
  /// multiply, as onnxruntime's requantization computes it, so a tie rounds the same way.
  case requantize(scale: Float, min: Float, max: Float)
}
