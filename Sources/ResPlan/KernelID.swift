/// The kernels a plan step can name (`Step.kernel`): the one registry the code generator chooses from and the
/// runtime dispatches on.
///
/// A name encodes element type, operation, layout and variant (`f32_conv_nchw_generic`), after XNNPACK. The
/// name is a contract about *data layout* as much as code: the generator packs constants for the kernel it
/// names, so each case documents the layout it expects. Adding a faster kernel means adding a case; an old
/// plan keeps naming the kernels it was packed for.
///
/// Operand order and parameters per kernel are documented on the parameter messages in schemas/plan.proto.
public enum KernelID: String, CaseIterable, Sendable {
  // MARK: Dense
  /// Convolution, any spatial rank (1–3), any group/stride/dilation/padding. X and Y in NCHW (row-major
  /// ONNX layout); W in ONNX layout [M, C/group, k...]. `ConvParams`.
  case f32ConvNCHWGeneric = "f32_conv_nchw_generic"
  /// Gemm with ONNX semantics; A and B in ONNX layout. `GemmParams`.
  case f32GemmGeneric = "f32_gemm_generic"
  /// numpy matmul with batch broadcasting; row-major operands. `MatMulParams`.
  case f32MatMulGeneric = "f32_matmul_generic"
  /// LSTM or GRU with ONNX operand layouts. `RecurrentParams`.
  case f32RecurrentGeneric = "f32_recurrent_generic"

  // MARK: Normalization and reductions
  /// y = x·scale[c] + shift[c] along `axis`. `ChannelAffineParams`.
  case f32ChannelAffine = "f32_channel_affine"
  case f32LayerNorm = "f32_layer_norm"
  case f32LRN = "f32_lrn"
  case f32Pool = "f32_pool"
  case f32ReduceMean = "f32_reduce_mean"
  case f32Softmax = "f32_softmax"

  // MARK: Elementwise (element type taken from the buffers)
  /// `UnaryParams`; float element types.
  case unary = "unary"
  /// `BinaryParams`; both inputs of one element type, output of that type (bool for EQUAL).
  case binary = "binary"
  /// `WhereParams`.
  case whereSelect = "where"
  /// Converts between any two element types (ONNX Cast rules). `CastParams`.
  case cast = "cast"

  // MARK: Data movement (any element type; only element width matters)
  /// `CopyParams`: strided copy (Transpose, Slice, Expand, Concat and Split pieces).
  case copy = "copy"
  /// `GatherParams`.
  case gather = "gather"
  /// `PadParams`.
  case pad = "pad"
  /// `FillParams`.
  case fill = "fill"
}
