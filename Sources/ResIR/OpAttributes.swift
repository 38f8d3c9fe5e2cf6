/// Padding of a sliding-window op.
///
/// ONNX's `auto_pad=VALID` and explicit `pads` both become `.explicit`. `SAME_UPPER`/`SAME_LOWER` become
/// explicit pads when the importer knows the spatial sizes, and stay symbolic otherwise (a dynamic image size).
public enum Padding: Sendable, Hashable {
  /// Begin pads for every spatial axis, then end pads: ONNX's order.
  case explicit([Int])
  case sameUpper
  case sameLower
}

public struct ConvAttributes: Sendable, Hashable {
  public var kernelShape: [Int]
  public var strides: [Int]
  public var dilations: [Int]
  public var padding: Padding
  public var group: Int
  public var epilogue: Epilogue
  /// A per-channel scale, shift and activation applied to the input before convolving (operand slots
  /// `Op.inputScaleSlot` and `Op.inputShiftSlot`); nil for an ordinary convolution.
  public var prologue: ConvPrologue?
  /// Whether X and W hold integer levels (ConvInteger, QLinearConv: the centered 8-bit values of a quantized
  /// model), whose products and sums float32 computes exactly in any order. The compiler then keeps the
  /// convolution off Winograd, whose transforms round: a quantized result one rounding away from a level
  /// boundary would come out a level apart from onnxruntime's exact int32 sum.
  public var exactSums: Bool

  public init(
    kernelShape: [Int], strides: [Int], dilations: [Int], padding: Padding, group: Int,
    epilogue: Epilogue = .none, prologue: ConvPrologue? = nil, exactSums: Bool = false
  ) {
    self.kernelShape = kernelShape
    self.strides = strides
    self.dilations = dilations
    self.padding = padding
    self.group = group
    self.epilogue = epilogue
    self.prologue = prologue
    self.exactSums = exactSums
  }
}

public struct PoolAttributes: Sendable, Hashable {
  public var kernelShape: [Int]
  public var strides: [Int]
  public var dilations: [Int]
  public var padding: Padding
  public var ceilMode: Bool
  /// AveragePool only: whether padded cells count in the divisor.
  public var countIncludePad: Bool

  public init(
    kernelShape: [Int], strides: [Int], dilations: [Int], padding: Padding, ceilMode: Bool,
    countIncludePad: Bool = false
  ) {
    self.kernelShape = kernelShape
    self.strides = strides
    self.dilations = dilations
    self.padding = padding
    self.ceilMode = ceilMode
    self.countIncludePad = countIncludePad
  }
}

public struct GemmAttributes: Sendable, Hashable {
  public var alpha: Float
  public var beta: Float
  public var transA: Bool
  public var transB: Bool
  public var epilogue: Epilogue

  public init(alpha: Float = 1, beta: Float = 1, transA: Bool = false, transB: Bool = false, epilogue: Epilogue = .none) {
    self.alpha = alpha
    self.beta = beta
    self.transA = transA
    self.transB = transB
    self.epilogue = epilogue
  }
}

public struct LayerNormAttributes: Sendable, Hashable {
  /// First normalized axis, already made non-negative by the importer.
  public var axis: Int
  public var epsilon: Float
  /// Operand slot 3 (`Op.residualSlot`) holds a residual added to X before normalizing: Y = LN(X + residual).
  /// It is not an epilogue (it comes before the op, not after), but it fills the same slot as one.
  public var residual: Bool

  public init(axis: Int, epsilon: Float, residual: Bool = false) {
    self.axis = axis
    self.epsilon = epsilon
    self.residual = residual
  }
}

public struct LRNAttributes: Sendable, Hashable {
  public var size: Int
  public var alpha: Float
  public var beta: Float
  public var bias: Float

  public init(size: Int, alpha: Float, beta: Float, bias: Float) {
    self.size = size
    self.alpha = alpha
    self.beta = beta
    self.bias = bias
  }
}

public enum RecurrentDirection: String, Sendable, Hashable, CaseIterable {
  case forward
  case reverse
  case bidirectional

  public var count: Int { self == .bidirectional ? 2 : 1 }
}

/// The gate functions ONNX's recurrent ops allow, with their optional alpha/beta.
public enum RecurrentActivation: Sendable, Hashable {
  case sigmoid
  case tanh
  case relu
  case hardSigmoid(alpha: Float, beta: Float)
  case leakyRelu(alpha: Float)
  case thresholdedRelu(alpha: Float)
  case scaledTanh(alpha: Float, beta: Float)
  case affine(alpha: Float, beta: Float)
  case elu(alpha: Float)
  case softsign
  case softplus
}

/// Attributes shared by LSTM and GRU.
public struct RecurrentAttributes: Sendable, Hashable {
  public var hiddenSize: Int
  public var direction: RecurrentDirection
  /// Gate functions per direction, as ONNX lists them (LSTM: f, g, h; GRU: f, g), defaults filled in.
  public var activations: [RecurrentActivation]
  /// Cell clip threshold, if any.
  public var clip: Float?
  /// LSTM only: couple the input and forget gates.
  public var inputForget: Bool
  /// GRU only: apply the linear transformation before multiplying by the reset gate.
  public var linearBeforeReset: Bool
  /// ONNX `layout`: false = [seq, batch, ...], true = [batch, seq, ...].
  public var batchMajor: Bool

  public init(
    hiddenSize: Int, direction: RecurrentDirection, activations: [RecurrentActivation], clip: Float? = nil,
    inputForget: Bool = false, linearBeforeReset: Bool = false, batchMajor: Bool = false
  ) {
    self.hiddenSize = hiddenSize
    self.direction = direction
    self.activations = activations
    self.clip = clip
    self.inputForget = inputForget
    self.linearBeforeReset = linearBeforeReset
    self.batchMajor = batchMajor
  }
}

/// ArgMax or ArgMin along one axis (already non-negative): int64 positions of the extreme, the first one of
/// equal extremes unless `selectLastIndex`; a NaN counts as the extreme, as in onnxruntime and numpy.
public struct ArgReduceAttributes: Sendable, Hashable {
  public var max: Bool
  public var axis: Int
  public var keepDims: Bool
  public var selectLastIndex: Bool

  public init(max: Bool, axis: Int, keepDims: Bool, selectLastIndex: Bool) {
    self.max = max
    self.axis = axis
    self.keepDims = keepDims
    self.selectLastIndex = selectLastIndex
  }

  public var onnxName: String { max ? "ArgMax" : "ArgMin" }
}

/// TopK along one axis (already non-negative): the `k` largest (or smallest) elements and their int64
/// positions, always in order (best first; `sorted=0` lets ONNX return any order, so sorting is always
/// right). Of equal elements the one at the smaller position comes first; a NaN ranks above every number
/// (first when largest, last when smallest), as onnxruntime orders them. `k` is a number because it decides
/// the results' shape: the importer only accepts a K known when compiling.
public struct TopKAttributes: Sendable, Hashable {
  public var k: Int
  public var axis: Int
  public var largest: Bool

  public init(k: Int, axis: Int, largest: Bool) {
    self.k = k
    self.axis = axis
    self.largest = largest
  }
}

/// How Resize reads its input (ONNX's `mode`).
public enum ResizeMode: String, Sendable, Hashable, CaseIterable {
  case nearest
  case linear
  /// Four taps per axis, Keys' cubic convolution with coefficient `cubicCoefficient`.
  case cubic
}

/// Where an output coordinate samples the input (ONNX's `coordinate_transformation_mode`, snake_case as ONNX
/// spells it); tf_crop_and_resize is not supported.
public enum ResizeCoordinates: String, Sendable, Hashable, CaseIterable {
  case halfPixel = "half_pixel"
  case halfPixelSymmetric = "half_pixel_symmetric"
  case pytorchHalfPixel = "pytorch_half_pixel"
  case alignCorners = "align_corners"
  case asymmetric
}

/// How nearest mode rounds a sampling coordinate (ONNX's `nearest_mode`).
public enum NearestRounding: String, Sendable, Hashable, CaseIterable {
  case roundPreferFloor = "round_prefer_floor"
  case roundPreferCeil = "round_prefer_ceil"
  case floor
  case ceil
}

/// Resize with every size settled by the importer: `sizes[i]` is axis i's output length (−1: the input's,
/// for an axis that is not resized, which may be symbolic) and `scales[i]` the factor the coordinates use
/// (ONNX takes the given scale, not output ÷ input, when scales were given).
public struct ResizeAttributes: Sendable, Hashable {
  public var mode: ResizeMode
  public var coordinates: ResizeCoordinates
  public var nearestRounding: NearestRounding
  public var scales: [Float]
  public var sizes: [Int]
  /// Cubic mode's `A` (ONNX's `cubic_coeff_a`, −0.75 by default).
  public var cubicCoefficient: Float
  /// Whether taps outside the input get weight 0, the others renormalized (ONNX's `exclude_outside`).
  public var excludeOutside: Bool

  public init(
    mode: ResizeMode, coordinates: ResizeCoordinates, nearestRounding: NearestRounding, scales: [Float],
    sizes: [Int], cubicCoefficient: Float = -0.75, excludeOutside: Bool = false
  ) {
    self.mode = mode
    self.coordinates = coordinates
    self.nearestRounding = nearestRounding
    self.scales = scales
    self.sizes = sizes
    self.cubicCoefficient = cubicCoefficient
    self.excludeOutside = excludeOutside
  }
}
