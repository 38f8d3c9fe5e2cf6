import ResKernels
import ResPlan

/// `f32_layer_norm`: over the axes from `axis` on, `y = (x − mean) / √(var + ε) · scale + bias`, each row by
/// `LayerNormMicrokernel` (vector sums in single precision). Scale and bias may be any shape that broadcasts to the
/// normalized axes; the optional outputs Mean and InvStdDev have X's shape with the normalized axes set to 1.
///
/// With a fused residual, `x + residual` is normalized: the sum is formed in f32 as each row is loaded and
/// parked in the output row (which never aliases the inputs), so the statistics and the normalization read
/// it from there and the sum is never a tensor of its own.
struct LayerNormOperator: Operator {
  let x: PlanBuffer
  let scale: PlanBuffer
  let bias: PlanBuffer?
  let residual: PlanBuffer?
  let y: PlanBuffer
  let mean: PlanBuffer?
  let inverseDeviation: PlanBuffer?
  let epsilon: Float
  let outer: Int
  let inner: Int
  /// Where each normalized element reads its scale and bias (nil: the element's own index).
  let scaleIndex: [Int]?
  let biasIndex: [Int]?

  init(_ params: Rescompile_Plan_LayerNormParams, _ operands: StepOperands) throws(RuntimeError) {
    let inputs = 2 + (params.hasBias_p ? 1 : 0) + (params.hasResidual_p ? 1 : 0)
    let outputs = params.writesStatistics ? 3 : 1
    try operands.requireCounts(inputs: inputs...inputs, outputs: outputs...outputs)
    x = try operands.input(0, "X", .f32)
    scale = try operands.input(1, "Scale", .f32)
    bias = params.hasBias_p ? try operands.input(2, "B", .f32) : nil
    residual = params.hasResidual_p ? try operands.input(inputs - 1, "residual", .f32) : nil
    y = try operands.output(0, "Y", .f32)
    epsilon = params.epsilon
    let rank = Int64(x.rank)
    guard params.axis >= -rank, params.axis < rank else {
      throw operands.failure("axis \(params.axis) is out of range for X \(ShapeText.of(x.shape))")
    }
    let axis = Int(params.axis < 0 ? params.axis + rank : params.axis)
    try operands.requireShape(y, "Y", x.shape)
    if let residual { try operands.requireShape(residual, "residual", x.shape) }
    let normalized = Array(x.shape[axis...])
    let statisticsShape = Array(x.shape[..<axis]) + [Int](repeating: 1, count: normalized.count)
    if params.writesStatistics {
      let meanBuffer = try operands.output(1, "Mean", .f32)
      let deviationBuffer = try operands.output(2, "InvStdDev", .f32)
      try operands.requireShape(meanBuffer, "Mean", statisticsShape)
      try operands.requireShape(deviationBuffer, "InvStdDev", statisticsShape)
      (mean, inverseDeviation) = (meanBuffer, deviationBuffer)
    } else {
      (mean, inverseDeviation) = (nil, nil)
    }
    if x.count == 0 {
      (outer, inner, scaleIndex, biasIndex) = (0, 0, nil, nil)
      return
    }
    outer = x.shape[..<axis].reduce(1, *)
    inner = normalized.reduce(1, *)
    scaleIndex = try LayerNormOperator.indexMap(scale, "Scale", normalized, operands)
    biasIndex = try bias.flatMap { (bias: PlanBuffer) throws(RuntimeError) in
      try LayerNormOperator.indexMap(bias, "B", normalized, operands)
    }
  }

  /// Nil when `operand` already has the normalized shape (up to leading 1s); otherwise, for each normalized
  /// element, the operand element it reads.
  private static func indexMap(
    _ operand: PlanBuffer, _ role: String, _ normalized: [Int], _ operands: StepOperands
  ) throws(RuntimeError) -> [Int]? {
    guard let strides = Broadcast.strides(of: operand.shape, into: normalized) else {
      throw operands.failure("\(role) (\(operand.label)) does not broadcast to \(ShapeText.of(normalized))")
    }
    if operand.count == normalized.reduce(1, *) { return nil }
    let walk = StridedWalk(shape: normalized, axisStrides: strides.map { SIMD4<Int>($0, 0, 0, 0) })
    var map: [Int] = []
    walk.forEachRow(in: 0..<walk.rowCount) { offsets in
      for element in 0..<walk.rowLength { map.append(offsets[0] + element * walk.rowStrides[0]) }
    }
    return map
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let scales = UnsafePointer(context.floats(scale))
    let biases = bias.map { UnsafePointer(context.floats($0)) }
    let skip = residual.map { UnsafePointer(context.floats($0)) }
    let means = mean.map { context.floats($0) }
    let deviations = inverseDeviation.map { context.floats($0) }
    let workers = context.workers(elements: x.count, tasks: outer)
    let ranges = RunContext.ranges(of: outer, parts: RunContext.streamingPieces(workers: workers), granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      for row in ranges[task] {
        let result = output + row * inner
        let values = LayerNormOperator.rowInput(
          input + row * inner, adding: skip.map { $0 + row * inner }, into: result, inner)
        let (average, inverse) = LayerNormMicrokernel.statistics(values, count: inner, epsilon: epsilon)
        if scaleIndex == nil, biasIndex == nil {
          LayerNormMicrokernel.normalize(
            values, result, count: inner, mean: average, inverseDeviation: inverse, scale: scales, bias: biases)
        } else {
          for i in 0..<inner {
            var value = (values[i] - average) * inverse * scales[scaleIndex?[i] ?? i]
            if let biases { value += biases[biasIndex?[i] ?? i] }
            result[i] = value
          }
        }
        means?[row] = average
        deviations?[row] = inverse
      }
    }
  }

  /// The row to normalize: X's own, or `x + residual` written into the output row `scratch` (each element is
  /// read there before it is overwritten by its normalized value).
  private static func rowInput(
    _ x: UnsafePointer<Float>, adding residual: UnsafePointer<Float>?, into scratch: UnsafeMutablePointer<Float>,
    _ count: Int
  ) -> UnsafePointer<Float> {
    guard let residual else { return x }
    BinaryMicrokernels.run(.add, .vectorVector, x, residual, scratch, count: count)
    return UnsafePointer(scratch)
  }
}
