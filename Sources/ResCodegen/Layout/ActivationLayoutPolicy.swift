/// Where the code generator stores activations channels-last (`ChannelsLastAssignment`).
public enum ActivationLayoutPolicy: String, Sendable, Hashable, CaseIterable {
  /// The regions whose convolutions are at least twice the reorders they need (the default).
  case automatic = "auto"
  /// None: every activation in ONNX's row-major layout. For measuring what the layout gains, and for ruling it
  /// out when debugging.
  case rowMajor = "row-major"
  /// Every region with a convolution, whatever its reorders cost: for timing the channels-last kernels on
  /// one-layer models (`benchmarks/layers.py`), and for testing them.
  case channelsLast = "channels-last"
}
