import ResIR
import ResPlan

/// How a constant operand's bytes are arranged in the constant section for the kernel that reads it.
///
/// The generator packs each constant for the kernel a step names (KernelID's contract is about data layout as
/// much as code), so this is the one place that knows which kernel wants which layout. Today every kernel reads
/// ONNX's row-major layout; a packed kernel (weights blocked for a microkernel's tile) adds a case here and a
/// line in `KernelID.constantLayout(ofInput:)`, and nothing in the lowering of its op family changes.
enum ConstantLayout: Hashable, Sendable {
  /// Row-major in ONNX's dimension order, little-endian elements: the constant's own bytes.
  case onnx

  /// The bytes of `constant` in this layout.
  func pack(_ constant: Constant) -> TensorBytes {
    switch self {
    case .onnx: constant.bytes
    }
  }
}

extension KernelID {
  /// The layout this kernel expects for a constant at input position `position` (the step's operand order).
  func constantLayout(ofInput position: Int) -> ConstantLayout {
    switch self {
    case .f32ConvNCHWGeneric, .f32GemmGeneric, .f32MatMulGeneric, .f32RecurrentGeneric, .f32ChannelAffine,
      .f32LayerNorm, .f32LRN, .f32Pool, .f32ReduceMean, .f32Softmax, .unary, .binary, .whereSelect, .cast,
      .f32GatedSkip, .copy, .gather, .pad, .fill:
      .onnx
    }
  }
}
