import ResPlan

@testable import ResRuntime

/// Small valid plans that exercise many kernels at once, for the container, fuzz and concurrency tests.
enum SamplePlans {
  /// image [1,3,8,8] → conv 3x3 (bias, relu) → max pool → flatten (a view) → gemm (bias) → softmax,
  /// plus a gather from a constant table by a constant index and a pad; two outputs.
  static func convolutionalClassifier(channels: Int = 4, seed: UInt64 = 1) -> PlanBuilder {
    var random = SeededGenerator(seed: seed)
    var builder = PlanBuilder()
    let image = builder.arena("image", .f32, [1, 3, 8, 8])
    let weights = builder.constant("conv.weight", [channels, 3, 3, 3], floats: random.floats(channels * 27))
    let bias = builder.constant("conv.bias", [channels], floats: random.floats(channels))
    let features = builder.arena("features", .f32, [1, channels, 8, 8])
    let pooled = builder.arena("pooled", .f32, [1, channels, 4, 4])
    let flat = builder.view("flat", of: pooled, .f32, [1, channels * 16])
    let dense = builder.constant("fc.weight", [10, channels * 16], floats: random.floats(10 * channels * 16))
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
