/// Work fused into the start of a convolution, applied to each input value as the kernel reads it:
/// `x' = act(x · scale[c] + shift[c])`, `c` the input channel, and the convolution then computes from `x'`.
///
/// It is what a pre-activation `BatchNormalization → ReLU` before a convolution becomes (DenseNet's BN after
/// Concat, a pre-activation ResNet's BN after Add) once the optimizer has turned the BN into a ScaleShift:
/// the normalized, activated tensor is never written. The scale and shift are the conv's operands in slots
/// `Op.inputScaleSlot` and `Op.inputShiftSlot` (`[C]`, the input's dtype).
///
/// The convolution pads its *transformed* input with zeros, not its raw input: `act(0 · s + t)` is not 0 in
/// general, so the optimizer only creates a prologue on a convolution that reads no padded cell.
public struct ConvPrologue: Sendable, Hashable {
  /// Applied after the scale and shift; nil for the affine map alone.
  public var activation: Activation?

  public init(activation: Activation? = nil) {
    self.activation = activation
  }
}
