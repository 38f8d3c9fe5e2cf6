import ResPlan

@testable import ResRuntime

/// Small valid plans that exercise many kernels at once, for the container, fuzz and concurrency tests.
enum SamplePlans {
  /// image [1,3,size,size] → conv 3x3 (bias, relu) → max pool → flatten (a view) → gemm (bias) → softmax,
  /// plus a gather from a constant table by a constant index and a pad; two outputs.
  static func convolutionalClassifier(channels: Int = 4, size: Int = 8, seed: UInt64 = 1) -> PlanBuilder {
    var random = SeededGenerator(seed: seed)
    var builder = PlanBuilder()
    let half = size / 2
    let image = builder.arena("image", .f32, [1, 3, size, size])
    let weights = builder.constant("conv.weight", [channels, 3, 3, 3], floats: random.floats(channels * 27))
    let bias = builder.constant("conv.bias", [channels], floats: random.floats(channels))
    let features = builder.arena("features", .f32, [1, channels, size, size])
    let pooled = builder.arena("pooled", .f32, [1, channels, half, half])
    let flat = builder.view("flat", of: pooled, .f32, [1, channels * half * half])
    let dense = builder.constant(
      "fc.weight", [10, channels * half * half], floats: random.floats(10 * channels * half * half))
    let denseBias = builder.constant("fc.bias", [10], floats: random.floats(10))
    let logits = builder.arena("logits", .f32, [1, 10])
    let probabilities = builder.arena("probabilities", .f32, [1, 10])
    let table = builder.constant("table", [5, 3], floats: random.floats(15))
    let index = builder.constant("index", [2], values: [Int64(4), -5])
    let rows = builder.arena("rows", .f32, [2, 3])
    let padded = builder.arena("padded", .f32, [2, 5])
    builder.input("image", image)
    builder.output("probabilities", probabilities)
    builder.output("padded", padded)

    var conv = Rescompile_Plan_ConvParams()
    conv.kernelShape = [3, 3]
    conv.pads = [1, 1, 1, 1]
    conv.group = 1
    conv.epilogue.hasBias_p = true
    conv.epilogue.activation.kind = .relu
    builder.step(.f32ConvNCHWGeneric, inputs: [image, weights, bias], outputs: [features], .conv(conv), name: "conv")
    var pool = Rescompile_Plan_PoolParams()
    pool.kind = .max
    pool.kernelShape = [2, 2]
    pool.strides = [2, 2]
    builder.step(.f32Pool, inputs: [features], outputs: [pooled], .pool(pool), name: "pool")
    var gemm = Rescompile_Plan_GemmParams()
    gemm.alpha = 1
    gemm.beta = 1
    gemm.transB = true
    gemm.epilogue.hasBias_p = true
    builder.step(.f32GemmGeneric, inputs: [flat, dense, denseBias], outputs: [logits], .gemm(gemm), name: "fc")
    var softmax = Rescompile_Plan_SoftmaxParams()
    softmax.axis = 1
    builder.step(.f32Softmax, inputs: [logits], outputs: [probabilities], .softmax(softmax), name: "softmax")
    builder.step(.gather, inputs: [table, index], outputs: [rows], .gather(Rescompile_Plan_GatherParams()), name: "gather")
    var pad = Rescompile_Plan_PadParams()
    pad.mode = .reflect
    pad.pads = [0, 1, 0, 1]
    builder.step(.pad, inputs: [rows], outputs: [padded], .pad(pad), name: "pad")
    return builder
  }

  /// The kernels the classifier lacks, chained: sequence [3,2,4] → LSTM → copy (transpose to batch-major)
  /// → matmul with bias → layer norm → LRN-free tail of unary, binary, channel affine, reduce mean, cast,
  /// where and fill, with an LRN on a reshaped view.
  static func mixedKernels(seed: UInt64 = 2) -> PlanBuilder {
    var random = SeededGenerator(seed: seed)
    var builder = PlanBuilder()
    let sequence = builder.arena("sequence", .f32, [3, 2, 4])
    builder.input("sequence", sequence)
    let w = builder.constant("lstm.w", [1, 12, 4], floats: random.floats(48))
    let r = builder.constant("lstm.r", [1, 12, 3], floats: random.floats(36))
    let y = builder.arena("lstm.y", .f32, [3, 1, 2, 3])
    let yh = builder.arena("lstm.y_h", .f32, [1, 2, 3])
    let yc = builder.arena("lstm.y_c", .f32, [1, 2, 3])
    var lstm = Rescompile_Plan_RecurrentParams()
    lstm.cell = .lstm
    lstm.hiddenSize = 3
    builder.step(.f32RecurrentGeneric, inputs: [sequence, w, r], outputs: [y, yh, yc], .recurrent(lstm), name: "lstm")
    let batchMajor = builder.arena("batch_major", .f32, [2, 3, 3])
    var copy = Rescompile_Plan_CopyParams()
    copy.shape = [2, 3, 3]
    copy.srcStrides = [3, 6, 1]
    copy.dstStrides = [9, 3, 1]
    builder.step(.copy, inputs: [y], outputs: [batchMajor], .copy(copy), name: "transpose")
    let projection = builder.constant("proj", [3, 5], floats: random.floats(15))
    let projectionBias = builder.constant("proj.bias", [5], floats: random.floats(5))
    let projected = builder.arena("projected", .f32, [2, 3, 5])
    var matmul = Rescompile_Plan_MatMulParams()
    matmul.epilogue.hasBias_p = true
    builder.step(.f32MatMulGeneric, inputs: [batchMajor, projection, projectionBias], outputs: [projected], .matmul(matmul))
    let scale = builder.constant("ln.scale", [5], floats: random.floats(5))
    let normalized = builder.arena("normalized", .f32, [2, 3, 5])
    var norm = Rescompile_Plan_LayerNormParams()
    norm.axis = 2
    norm.epsilon = 1e-5
    builder.step(.f32LayerNorm, inputs: [projected, scale], outputs: [normalized], .layerNorm(norm))
    let activated = builder.arena("activated", .f32, [2, 3, 5])
    var gelu = Rescompile_Plan_UnaryParams()
    gelu.kind = .gelu
    builder.step(.unary, inputs: [normalized], outputs: [activated], .unary(gelu))
    var add = Rescompile_Plan_BinaryParams()
    add.kind = .add
    builder.step(.binary, inputs: [activated, projected], outputs: [activated], .binary(add))
    let affineScale = builder.constant("affine.scale", [3], floats: random.floats(3))
    let affineShift = builder.constant("affine.shift", [3], floats: random.floats(3))
    let affine = builder.arena("affine", .f32, [2, 3, 5])
    var channel = Rescompile_Plan_ChannelAffineParams()
    channel.axis = 1
    builder.step(.f32ChannelAffine, inputs: [activated, affineScale, affineShift], outputs: [affine], .channelAffine(channel))
    let asImage = builder.view("as_image", of: affine, .f32, [2, 3, 5, 1])
    let lrnOutput = builder.arena("lrn", .f32, [2, 3, 5, 1])
    var lrn = Rescompile_Plan_LRNParams()
    lrn.size = 3
    lrn.alpha = 1e-4
    lrn.beta = 0.75
    lrn.bias = 1
    builder.step(.f32LRN, inputs: [asImage], outputs: [lrnOutput], .lrn(lrn))
    let mean = builder.arena("mean", .f32, [2, 5])
    var reduce = Rescompile_Plan_ReduceMeanParams()
    reduce.axes = [1, 3]
    builder.step(.f32ReduceMean, inputs: [lrnOutput], outputs: [mean], .reduceMean(reduce))
    let counts = builder.arena("counts", .i32, [2, 5])
    builder.step(.cast, inputs: [mean], outputs: [counts], .cast(Rescompile_Plan_CastParams()))
    let flags = builder.arena("flags", .bool, [2, 5])
    builder.step(.cast, inputs: [counts], outputs: [flags], .cast(Rescompile_Plan_CastParams()))
    let fallback = builder.arena("fallback", .f32, [5])
    var fill = Rescompile_Plan_FillParams()
    fill.value = -1
    builder.step(.fill, inputs: [], outputs: [fallback], .fill(fill))
    let selected = builder.arena("selected", .f32, [2, 5])
    builder.step(.whereSelect, inputs: [flags, mean, fallback], outputs: [selected], .where(Rescompile_Plan_WhereParams()))
    builder.output("selected", selected)
    builder.output("state", yc)
    builder.output("hidden", yh)
    return builder
  }

  /// scores [4,9] → top_k (3 largest along the last axis) → gather of a constant [9,2] table by the positions:
  /// a ranking whose indices feed a run-time index check; outputs the values and the gathered rows.
  static func rankedSelection(seed: UInt64 = 3) -> PlanBuilder {
    var random = SeededGenerator(seed: seed)
    var builder = PlanBuilder()
    let scores = builder.arena("scores", .f32, [4, 9])
    builder.input("scores", scores)
    let values = builder.arena("top.values", .f32, [4, 3])
    let positions = builder.arena("top.indices", .i64, [4, 3])
    var topK = Rescompile_Plan_TopKParams()
    topK.axis = 1
    topK.largest = true
    builder.step(.topK, inputs: [scores], outputs: [values, positions], .topK(topK), name: "top")
    let table = builder.constant("table", [9, 2], floats: random.floats(18))
    let rows = builder.arena("rows", .f32, [4, 3, 2])
    let lookup = Rescompile_Plan_GatherParams()
    builder.step(.gather, inputs: [table, positions], outputs: [rows], .gather(lookup), name: "lookup")
    builder.output("values", values)
    builder.output("rows", rows)
    return builder
  }

  /// Zero tensors for every input of `plan`.
  static func zeroInputs(_ plan: Plan) throws -> [String: Tensor] {
    var inputs: [String: Tensor] = [:]
    for input in plan.inputs {
      let count = input.shape.reduce(1, *)
      inputs[input.name] = try Tensor(
        bytes: [UInt8](repeating: 0, count: count * input.elementType.byteWidth), elementType: input.elementType,
        shape: input.shape)
    }
    return inputs
  }
}
