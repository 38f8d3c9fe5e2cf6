/// What a node computes: a closed set of operations with typed attributes.
///
/// The cases follow ONNX semantics at the newest opset; the importer rewrites older opset forms into these
/// (Clip bounds given as attributes become operands, Split sizes become an attribute, and so on), so passes
/// and backends see one form per op. Switches over `Op` are exhaustive without `default`: adding a case makes
/// the compiler list every place that must learn about it.
///
/// Operands that decide an output *shape* and are constants in every real model (axes, split sizes, pads)
/// are typed attributes. Operands that PyTorch exports compute from `Shape` chains (Reshape's shape,
/// Slice's starts and ends, Expand's shape) stay operands, so a dynamic batch can flow through them.
///
/// Fusion is data, not new op kinds: `conv`, `gemm`, `matMul` and `scaleShift` carry an `Epilogue`, and a
/// `layerNormalization` may add a residual to X. The two fused forms that have no ONNX op (`scaleShift`,
/// `gatedSkip`) exist because nothing in ONNX computes them in one step; only the optimizer creates them.
public enum Op: Sendable, Hashable {
  // MARK: Convolution and dense layers
  /// Operands: X, W, B?, residual?, input scale?, input shift? (the residual slot is used when
  /// `epilogue.residual` is set; the last two, `[C]`, when `prologue` is set).
  case conv(ConvAttributes)
  /// Operands: A, B, C?, residual?.
  case gemm(GemmAttributes)
  /// Operands: A, B, bias?, residual?. The bias slot is only used by fused forms.
  case matMul(Epilogue)

  // MARK: Normalization
  /// Operands: X, scale, B, mean, var. Inference form only: training mode is rejected by the importer.
  case batchNormalization(epsilon: Float)
  /// Operands: X, Scale, B?, residual? (slot 3, when `residual` is set: Y = LN(X + residual), the post-LN
  /// transformer's `LayerNorm(x + sublayer(x))` as one step). Results: Y, Mean, InvStdDev (the last two are
  /// statistics ONNX can expose; with a residual they describe X + residual).
  case layerNormalization(LayerNormAttributes)
  /// Operands: X, scale [C], shift [C], residual? (slot 3, when `epilogue.residual` is set).
  /// `y = act(x · scale[c] + shift[c] + residual)`, `c` the index along `axis`. Not an ONNX op: what an
  /// inference BatchNormalization with no Conv before it becomes (DenseNet's BN after Concat, a pre-activation
  /// ResNet's BN after Add), its scale and shift precomputed by the optimizer, its activation fused.
  case scaleShift(axis: Int, epilogue: Epilogue)
  /// Operands: X.
  case lrn(LRNAttributes)

  // MARK: Elementwise
  /// Operands: X.
  case unary(UnaryOp)
  /// Operands: X, min?, max?.
  case clip
  /// Operands: A, B (multidirectional broadcasting).
  case binary(BinaryOp)
  /// Operands: one or more inputs, broadcast together.
  case variadic(VariadicOp)
  /// Operands: condition, X, Y.
  case `where`
  /// Operands: T, H, X (one float type, multidirectional broadcasting). `y = T·H + (1 − T)·X`: a Highway
  /// network's gated skip as one elementwise step. Not an ONNX op; T is data (a Sigmoid of a learned layer),
  /// so nothing of it is folded into weights.
  case gatedSkip
  /// Operands: X.
  case cast(to: DType)

  // MARK: Pooling
  /// Operands: X. Only the values result (ONNX's optional Indices is rejected by the importer).
  case maxPool(PoolAttributes)
  /// Operands: X.
  case averagePool(PoolAttributes)
  /// Operands: X.
  case globalAveragePool
  /// Operands: data. `axes == nil` reduces over every axis.
  case reduceMean(axes: [Int]?, keepDims: Bool)
  /// Operands: data. As ReduceMean, the sum, maximum, minimum or product instead of the mean.
  case reduce(ReduceKind, axes: [Int]?, keepDims: Bool)
  /// Operands: input. `coerced2D` keeps the opset < 13 meaning (flatten to 2-D at `axis`, normalize rows).
  case softmax(axis: Int, coerced2D: Bool)

  // MARK: Shapes and data movement
  /// Operands: input.
  case flatten(axis: Int)
  /// Operands: data, shape.
  case reshape(allowZero: Bool)
  /// Operands: data.
  case transpose(perm: [Int])
  /// Operands: one or more inputs.
  case concat(axis: Int)
  /// Operands: input. One result per entry of `sizes`.
  case split(axis: Int, sizes: [Int])
  /// Operands: data, starts, ends, axes?, steps?.
  case slice
  /// Operands: data. `axes == nil` removes every dimension of size 1.
  case squeeze(axes: [Int]?)
  /// Operands: data.
  case unsqueeze(axes: [Int])
  /// Operands: data, indices.
  case gather(axis: Int)
  /// Operands: data. Produces the (sliced) shape as an int64 vector.
  case shape(start: Int, end: Int?)
  /// Operands: input, shape.
  case expand
  /// Operands: shape. Every element is `value`.
  case constantOfShape(ScalarValue)
  /// Operands: data, constant_value? (`pads` lists begins then ends for every axis).
  case pad(mode: PadMode, pads: [Int])
  /// Operands: start, limit, delta (scalars of one numeric type): `start, start + delta, …` up to `limit`,
  /// excluded. Its length depends on the operands' values, so inference knows it only when they are known,
  /// and a plan holds the result as a constant (a Range is always folded before lowering).
  case range
  /// Operands: data, indices (int64 or int32, data's rank). `y[i…] = data[i…]` with the `axis` coordinate
  /// replaced by `indices[i…]` (negative counting from the end).
  case gatherElements(axis: Int)
  /// Operands: x. The running sum along `axis`; `exclusive` leaves each element out of its own sum, `reverse`
  /// sums from the end.
  case cumSum(axis: Int, exclusive: Bool, reverse: Bool)
  /// Operands: x (rank ≥ 2). The last two axes' lower (`upper` false) or upper triangle from diagonal `k`
  /// (positive above the main one) kept, the rest zero.
  case trilu(upper: Bool, k: Int)
  /// Operands: data, indices (int64; the last axis of length `k` addresses data's first `k` axes), updates.
  /// A copy of data with the addressed slices replaced by (or combined with) the updates, in index order.
  case scatterND(ScatterReduction)
  /// Operands: data. Result: int64 positions of the maximum or minimum along the axis.
  case argReduce(ArgReduceAttributes)
  /// Operands: X. Results: Values (X's type), Indices (int64), X's shape with `k` along the axis.
  case topK(TopKAttributes)
  /// Operands: X. Nearest or (multi)linear resampling to `sizes`, every size fixed by the importer.
  case resize(ResizeAttributes)
  /// Operands: input.
  case identity
  /// Operands: data (inference form: an identity). Results: output, mask.
  case dropout

  // MARK: Recurrent layers
  /// Operands: X, W, R, B?, sequence_lens?, initial_h?, initial_c?, P?. Results: Y, Y_h, Y_c.
  case lstm(RecurrentAttributes)
  /// Operands: X, W, R, B?, sequence_lens?, initial_h?. Results: Y, Y_h.
  case gru(RecurrentAttributes)
  /// The plain (Elman) recurrent layer. Operands: X, W, R, B?, sequence_lens?, initial_h?. Results: Y, Y_h.
  case rnn(RecurrentAttributes)
}

/// Elementwise operations of one operand.
public enum UnaryOp: Sendable, Hashable {
  case relu
  case sigmoid
  case tanh
  case erf
  case sqrt
  case hardSwish
  case leakyRelu(alpha: Float)
  case hardSigmoid(alpha: Float, beta: Float)
  case gelu(GeluApproximation)
  case abs
  case neg
  case exp
  case log
  case ceil
  case floor
  /// Round half to even, as ONNX's Round.
  case round
  case reciprocal
  case sin
  case cos
  /// `log(1 + eˣ)`.
  case softplus
  /// `x · tanh(softplus(x))`: ONNX's Mish (opset 18), or its three-node form recognized (`RecognizeMish`).
  case mish
  /// `x` where `x ≥ 0`, else `alpha · (eˣ − 1)`.
  case elu(alpha: Float)
}

/// Elementwise operations of two broadcast operands.
public enum BinaryOp: Sendable, Hashable {
  case add
  case sub
  case mul
  case div
  case pow
  /// `fmod` selects C's fmod (sign of the dividend) instead of the integer modulo (sign of the divisor).
  case mod(fmod: Bool)
  /// Produces `bool`.
  case equal
  /// Less, LessOrEqual, Greater, GreaterOrEqual. Produces `bool`.
  case compare(Comparison)
  /// ONNX PRelu, `a < 0 ? a · b : a` with `b` the slope (one, one per channel, or one per element): a −0 or
  /// NaN `a` passes through. One elementwise op rather than `Where(a < 0, a · b, a)`, so that a slope per
  /// channel runs as one step in either activation layout (an IResNet's PReLUs between channels-last
  /// convolutions). Float types.
  case prelu

  /// Whether the result is `bool` whatever the operands' type (Equal and the comparisons).
  public var producesBool: Bool {
    switch self {
    case .equal, .compare: true
    case .add, .sub, .mul, .div, .pow, .mod, .prelu: false
    }
  }
}

/// An ordering test of two numbers. Every one is false when either operand is NaN, as IEEE comparisons are.
public enum Comparison: String, Sendable, Hashable, CaseIterable {
  case less
  case lessOrEqual
  case greater
  case greaterOrEqual

  public func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
    switch self {
    case .less: a < b
    case .lessOrEqual: a <= b
    case .greater: a > b
    case .greaterOrEqual: a >= b
    }
  }
}

/// Elementwise operations over any number of broadcast operands.
public enum VariadicOp: String, Sendable, Hashable, CaseIterable {
  case sum
  case max
  case min
}

public enum GeluApproximation: String, Sendable, Hashable, CaseIterable {
  case none
  case tanh
}

/// What a Reduce op computes over the reduced axes (ReduceMean is its own op: a mean is a sum divided).
public enum ReduceKind: String, Sendable, Hashable, CaseIterable {
  case sum
  case max
  case min
  case prod

  /// ReduceSum, ReduceMax, ReduceMin, ReduceProd.
  public var onnxName: String { "Reduce" + rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// How ScatterND combines an update with the element it addresses (ONNX's `reduction` attribute).
public enum ScatterReduction: String, Sendable, Hashable, CaseIterable {
  /// The update replaces the element; of several updates to one element, the last in index order wins.
  case none
  case add
  case mul
  case max
  case min
}

public enum PadMode: String, Sendable, Hashable, CaseIterable {
  case constant
  case reflect
  case edge
  case wrap
}

/// A typed scalar attribute value (ConstantOfShape's fill value).
public struct ScalarValue: Sendable, Hashable {
  public var dtype: DType
  public var value: Double
  public init(dtype: DType, value: Double) {
    self.dtype = dtype
    self.value = value
  }
}
