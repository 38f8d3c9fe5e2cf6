import ResPlan

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `f32_lrn`: local response normalization across channels,
/// `y = x / (bias + alpha/size · Σ x²)^beta` with the sum over channels `c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉`
/// clipped to the tensor (ONNX LRN).
struct LRNOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let size: Int
  let alpha: Float
  let beta: Float
  let bias: Float
  let batch: Int
  let channels: Int
  let plane: Int

  init(_ params: Rescompile_Plan_LRNParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    y = try operands.output(0, "Y", .f32)
    try operands.requireRank(x, "X", 2...16)
    try operands.requireShape(y, "Y", x.shape)
    guard params.size >= 1, params.size <= Int64(WindowAxes.largestExtent) else {
      throw operands.failure("size \(params.size) is out of range")
    }
    size = Int(params.size)
    (alpha, beta, bias) = (params.alpha, params.beta, params.bias)
    batch = x.shape[0]
    channels = x.shape[1]
    plane = x.count == 0 ? 0 : x.shape[2...].reduce(1, *)
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let below = (size - 1) / 2
    let above = size - 1 - below
    let scale = alpha / Float(size)
    let planes = batch * channels
    let workers = context.workers(work: RunContext.work(x.count, min(size, channels)), tasks: planes)
    context.parallelFor(tasks: planes, workers: workers) { task, _ in
      let image = task / channels
      let channel = task % channels
      let first = max(0, channel - below)
      let last = min(channels - 1, channel + above)
      let base = input + image * channels * plane
      for position in 0..<plane {
        var sum: Float = 0
        if first <= last {
          for neighbor in first...last {
            let value = base[neighbor * plane + position]
            sum += value * value
          }
        }
        let index = task * plane + position
        output[index] = input[index] / powf(bias + scale * sum, beta)
      }
    }
  }
}
