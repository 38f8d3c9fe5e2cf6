/// The kernels a plan step can name (`Step.kernel`): the one registry the code generator chooses from and the
/// runtime dispatches on.
///
/// A name encodes element type, operation, layout and variant (`f32_conv_nchw_generic`), after XNNPACK. The
/// name is a contract about *data layout* as much as code: the generator packs constants for the kernel it
/// names, so each case documents the layout it expects. Adding a faster kernel means adding a case; an old
/// plan keeps naming the kernels it was packed for.
///
/// Operand order, optional operands, element types, output shapes and the rules the runtime checks are
/// documented on the parameter messages in schemas/plan.proto; ResRuntime's operators enforce them when a
/// plan loads.
public enum KernelID: String, CaseIterable, Sendable {
  // MARK: Dense
  /// Convolution, any spatial rank (1–3), any group/stride/dilation/padding. X and Y in NCHW (row-major
  /// ONNX layout), or with constant weights, a 1-D or 2-D window and no prologue, X, Y and the residual all
  /// channels-last; W in ONNX layout [M, C/group, k...] or packed (`ConvMethod`). `ConvParams`.
  case f32ConvNCHWGeneric = "f32_conv_nchw_generic"
  /// Gemm with ONNX semantics; A and B in ONNX layout (transposes by flag). `GemmParams`.
  case f32GemmGeneric = "f32_gemm_generic"
  /// numpy matmul with batch broadcasting; row-major operands. `MatMulParams`.
  case f32MatMulGeneric = "f32_matmul_generic"
  /// LSTM or GRU with ONNX operand layouts. `RecurrentParams`.
  case f32RecurrentGeneric = "f32_recurrent_generic"

  // MARK: Normalization and reductions
  /// y = act(x·scale[c] + shift[c] + residual) along `axis` (BatchNormalization, ScaleShift).
  /// `ChannelAffineParams`.
  case f32ChannelAffine = "f32_channel_affine"
  /// LayerNormalization, optionally of X + residual, optionally writing Mean and InvStdDev. `LayerNormParams`.
  case f32LayerNorm = "f32_layer_norm"
  /// LRN across channels. `LRNParams`.
  case f32LRN = "f32_lrn"
  /// MaxPool, AveragePool (floor or ceil mode, read from Y's shape) and GlobalAveragePool. `PoolParams`.
  case f32Pool = "f32_pool"
  /// ReduceMean, keeping or dropping the reduced axes. `ReduceMeanParams`.
  case f32ReduceMean = "f32_reduce_mean"
  /// `ReduceMeanParams`; the sum, maximum, minimum or product over the axes instead of the mean.
  case f32ReduceSum = "f32_reduce_sum"
  case f32ReduceMax = "f32_reduce_max"
  case f32ReduceMin = "f32_reduce_min"
  case f32ReduceProd = "f32_reduce_prod"
  /// Softmax over one axis, or over the trailing axes (opset < 13). `SoftmaxParams`.
  case f32Softmax = "f32_softmax"

  // MARK: Elementwise (element type taken from the buffers)
  /// `UnaryParams`; f32, f64 or f16.
  case unary = "unary"
  /// `BinaryParams`; both inputs of one element type (numeric, or bool for EQUAL/MAX/MIN), output of that
  /// type (bool for EQUAL).
  case binary = "binary"
  /// `WhereParams`: a bool condition selects between X and Y of any one element type.
  case whereSelect = "where"
  /// Converts between any two element types (ONNX Cast rules). `CastParams`.
  case cast = "cast"
  /// y = t·h + (1 − t)·x with numpy broadcasting of all three to Y (a Highway gated skip). `GatedSkipParams`.
  case f32GatedSkip = "f32_gated_skip"

  // MARK: Data movement (any element type; only element width matters)
  /// `CopyParams`: strided copy (Transpose, Slice, Expand, Concat and Split pieces).
  case copy = "copy"
  /// `GatherParams`: i64 or i32 indices, checked while running.
  case gather = "gather"
  /// `PadParams`: constant, reflect, edge or wrap; negative pads crop.
  case pad = "pad"
  /// `ScatterNDParams`: data with the slices i64 index tuples address replaced by (or combined with) updates.
  case scatterND = "scatter_nd"
  /// `GatherElementsParams`: data indexed along one axis by a same-rank tensor of i64 indices.
  case gatherElements = "gather_elements"
  /// `CumSumParams`: the running sum along one axis (f32, f64, i64, i32).
  case cumSum = "cum_sum"
  /// `TriluParams`: the upper or lower triangle of the last two axes, the rest zero.
  case trilu = "trilu"
  /// `ResizeParams`: f32 nearest or (multi)linear resampling.
  case resize = "f32_resize"
  /// `ArgReduceParams`: i64 positions of an f32 maximum or minimum along one axis.
  case argReduce = "f32_arg_reduce"
  /// `TopKParams`: the k largest or smallest elements along one axis (f32, f64, i64, i32) and their i64
  /// positions.
  case topK = "top_k"
  /// `FillParams`: every element of the output set to one value.
  case fill = "fill"
  /// `ReorderParams`: an f32 activation copied between the row-major and the channels-last layout.
  case f32Reorder = "f32_reorder"
}
