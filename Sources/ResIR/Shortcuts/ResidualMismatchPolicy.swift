/// What the compiler does with an Add or Sum whose operands cannot broadcast (`--residual-mismatch`).
///
/// Such a model is invalid ONNX, so the default is to stop; the repair changes what the model computes (it
/// decides that one operand is a skip path and how to reshape it), so it is only made when asked for, and
/// every repair is reported.
public enum ResidualMismatchPolicy: String, Sendable, Hashable, CaseIterable {
  /// Stop with an error naming the node, both shapes, and the repair that would apply.
  case error
  /// Put ResNet's parameter-free "option A" shortcut on the skip path, as a 1x1 Conv with stride and
  /// zero-padded identity weight (`ZeroPadShortcut`), and report it as a change to the model.
  case zeroPad = "zero-pad"
}
