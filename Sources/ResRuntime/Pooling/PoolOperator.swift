import ResPlan

/// `f32_pool`: MaxPool, AveragePool (1–3 spatial axes, strides, dilations, explicit pads, floor or ceil mode,
/// with or without padded cells in the divisor) and GlobalAveragePool.
///
/// The output buffer's shape says which rounding the compiler chose: each spatial size must equal the floor
/// or the ceil size the parameters give. 1-D and 2-D max pooling, and average pooling with one divisor for
/// every window, run on `PlanePooling`'s vector kernel; the rest element by element, windows clipped to the
/// input before looping, so the work is bounded by the input whatever the parameters. A channels-last X (and
/// Y, except a global average's one position per channel, whose bytes are the same either way) runs
/// `ChannelsLastPooling`, channels on the vector lanes.
struct PoolOperator: Operator {
  enum Kind: Sendable {
    case max, average, globalAverage
  }

  let x: PlanBuffer
  let y: PlanBuffer
  let kind: Kind
  let axes: WindowAxes
  let countIncludePad: Bool
  let planes: Int
  /// The vector path, when the pooling is one it computes (`PlanePooling`).
  let planePooling: PlanePooling?
  /// The channels-last path, when X is channels-last.
  let channelsLast: ChannelsLastPooling?
  let scratchBytesPerWorker: Int

  var readsChannelsLast: Bool { channelsLast != nil }

  init(_ params: Rescompile_Plan_PoolParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    y = try operands.output(0, "Y", .f32)
    try operands.requireRank(x, "X", 3...5)
    try operands.requireRank(y, "Y", x.rank...x.rank)
    countIncludePad = params.countIncludePad
    let spatial = Array(x.shape[2...])
    // When Y is empty the two sizes may not even have a representable product.
    planes = y.count == 0 ? 0 : x.shape[0] * x.shape[1]
    switch params.kind {
    case .max: kind = .max
    case .average: kind = .average
    case .globalAverage: kind = .globalAverage
    case .UNRECOGNIZED(let raw): throw operands.failure("pool kind \(raw) is unknown to this runtime")
    }
    if kind == .globalAverage {
      var axes = try WindowAxes(
        input: spatial, kernelShape: [], defaultKernel: spatial, strides: [], dilations: [], pads: [],
        operands: operands)
      let ones = [Int](repeating: 1, count: spatial.count)
      try operands.requireShape(y, "Y", Array(x.shape[..<2]) + ones)
      try axes.setOutput(ones, operands)
      self.axes = axes
      planePooling = nil
      channelsLast =
        x.isChannelsLast
        ? try ChannelsLastPooling(
          kind, axes: axes, channels: x.shape[1], countIncludePad: false, site: operands.site) : nil
      scratchBytesPerWorker = try channelsLast?.scratchBytes(site: operands.site) ?? 0
      return
    }
    guard x.isChannelsLast == y.isChannelsLast else {
      throw operands.failure("X (\(x.label)) and Y (\(y.label)) must both be channels-last or neither")
    }
    guard !params.kernelShape.isEmpty else { throw operands.failure("kernel_shape is missing") }
    var axes = try WindowAxes(
      input: spatial, kernelShape: params.kernelShape, defaultKernel: nil, strides: params.strides,
      dilations: params.dilations, pads: params.pads, operands: operands)
    let actual = Array(y.shape[2...])
    for (index, axis) in ((3 - spatial.count)..<3).enumerated() {
      let mode = params.ceilMode ? "ceil" : "floor"
      let expected = params.ceilMode ? axes.ceilOutput(axis: axis) : axes.floorOutput(axis: axis)
      guard let expected, actual[index] == expected else {
        throw operands.failure(
          "Y \(ShapeText.of(y.shape)) spatial size \(actual[index]) is not the \(mode)-mode output size (\(expected.map(String.init) ?? "none"))"
        )
      }
    }
    try operands.requireShape(y, "Y", Array(x.shape[..<2]) + actual)
    try axes.setOutput(actual, operands)
    self.axes = axes
    if x.isChannelsLast {
      let pooling = try ChannelsLastPooling(
        kind, axes: axes, channels: x.shape[1], countIncludePad: countIncludePad, site: operands.site)
      channelsLast = pooling
      planePooling = nil
      scratchBytesPerWorker = try pooling.scratchBytes(site: operands.site)
      return
    }
    channelsLast = nil
    planePooling = try PlanePooling(kind, axes: axes, countIncludePad: countIncludePad, site: operands.site)
    scratchBytesPerWorker = try planePooling?.scratchBytes(site: operands.site) ?? 0
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    if let channelsLast {
      let batch = x.shape[0]
      let workers = context.workers(work: channelsLast.work(batch: batch), tasks: channelsLast.tasks(batch: batch))
      channelsLast.run(context, input, output, batch: batch, workers: workers)
      return
    }
    if kind == .globalAverage {
      runGlobalAverage(context, input, output)
      return
    }
    let workers = context.workers(work: RunContext.work(y.count, axes.kernelVolume), tasks: planes)
    if let planePooling {
      planePooling.run(context, input, output, planes: planes, workers: workers)
      return
    }
    context.parallelFor(tasks: planes, workers: workers) { plane, _ in
      let source = input + plane * axes.inputPlane
      let destination = output + plane * axes.outputPlane
      var position = 0
      for od in 0..<axes.output[0] {
        let taps0 = taps(axis: 0, output: od)
        for oh in 0..<axes.output[1] {
          let taps1 = taps(axis: 1, output: oh)
          for ow in 0..<axes.output[2] {
            let taps2 = taps(axis: 2, output: ow)
            destination[position] = pool(source, taps0, taps1, taps2)
            position += 1
          }
        }
      }
    }
  }

  /// Planes at a time in a global average (`runGlobalAverage`).
  static let averagedTogether = 8

  /// Global average pooling of row-major planes: each plane's sum in double precision in element order,
  /// divided once, eight planes at a time in the lanes of one vector. One plane's sum is a chain of
  /// additions that waits for each before the next (four cycles on Zen 4), so a plane at a time ran at a
  /// quarter of an addition per cycle: MaxViT's squeeze-excitation pools took 0.17 ms for 1024 planes of 256.
  /// Each lane is still its own plane's chain in the same order, so the bits are the same.
  private func runGlobalAverage(
    _ context: RunContext, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>
  ) {
    let size = axes.inputPlane
    let group = Self.averagedTogether
    let blocks = (planes + group - 1) / group
    let workers = context.workers(work: RunContext.work(planes, size), tasks: blocks)
    context.parallelFor(tasks: blocks, workers: workers) { block, _ in
      let first = block * group
      let count = min(group, planes - first)
      let source = input + first * size
      var sums = SIMD8<Double>()
      if count == group {
        let blocked = size / group * group
        for index in stride(from: 0, to: blocked, by: group) {
          let columns = Self.transposed(source + index, rowStride: size)
          // Position by position, in order: each plane's sum adds its elements as before.
          sums += SIMD8<Double>(columns.0)
          sums += SIMD8<Double>(columns.1)
          sums += SIMD8<Double>(columns.2)
          sums += SIMD8<Double>(columns.3)
          sums += SIMD8<Double>(columns.4)
          sums += SIMD8<Double>(columns.5)
          sums += SIMD8<Double>(columns.6)
          sums += SIMD8<Double>(columns.7)
        }
        for index in blocked..<size {
          var values = SIMD8<Double>()
          for lane in 0..<group { values[lane] = Double(source[lane * size + index]) }
          sums += values
        }
      } else {
        for lane in 0..<count {
          var sum = 0.0
          for index in 0..<size { sum += Double(source[lane * size + index]) }
          sums[lane] = sum
        }
      }
      for lane in 0..<count { output[first + lane] = Float(sums[lane] / Double(size)) }
    }
  }

  /// The 8x8 block of floats at `block` (rows `rowStride` apart) transposed: element `j` of column `i` is
  /// row `j`'s element `i`. Eight vector loads and three rounds of unshuffling (evens, then odds, of each
  /// pair of vectors; each round rotates the six bits of an element's index right by one, three swap row and
  /// column), where gathering a position's eight planes lane by lane cost 0.7 ns per element (ResNeSt's
  /// 16x16 planes: 0.023 ms where onnxruntime's node takes 0.006).
  typealias EightRows = (
    SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>
  )

  @inline(__always)
  static func transposed(_ block: UnsafePointer<Float>, rowStride: Int) -> EightRows {
    func row(_ index: Int) -> SIMD8<Float> {
      UnsafeRawPointer(block + index * rowStride).loadUnaligned(as: SIMD8<Float>.self)
    }
    let rows = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    return unshuffled(unshuffled(unshuffled(rows)))
  }

  /// The 64 elements of `rows` (row after row) with the even-indexed ones first, then the odd ones.
  @inline(__always)
  static func unshuffled(_ rows: EightRows) -> EightRows {
    let pairs = (
      SIMD16<Float>(lowHalf: rows.0, highHalf: rows.1), SIMD16<Float>(lowHalf: rows.2, highHalf: rows.3),
      SIMD16<Float>(lowHalf: rows.4, highHalf: rows.5), SIMD16<Float>(lowHalf: rows.6, highHalf: rows.7)
    )
    return (
      pairs.0.evenHalf, pairs.1.evenHalf, pairs.2.evenHalf, pairs.3.evenHalf,
      pairs.0.oddHalf, pairs.1.oddHalf, pairs.2.oddHalf, pairs.3.oddHalf
    )
  }

  /// For output index `output` along `axis`: the first input index, the valid kernel taps, and how many
  /// taps fall inside the padded input (the divisor with `count_include_pad`).
  private func taps(axis: Int, output: Int) -> (start: Int, valid: Range<Int>, padded: Int) {
    let stride = axes.strides[axis]
    let dilation = axes.dilations[axis]
    let kernel = axes.kernel[axis]
    let start = output * stride - axes.padsBegin[axis]
    let valid = tapRange(start: start, dilation: dilation, kernel: kernel, low: 0, high: axes.input[axis])
    let padded = tapRange(
      start: start, dilation: dilation, kernel: kernel, low: -axes.padsBegin[axis],
      high: axes.input[axis] + axes.padsEnd[axis])
    return (start, valid, padded.count)
  }

  /// The taps `k` in `0..<kernel` with `low ≤ start + k·dilation < high`.
  private func tapRange(start: Int, dilation: Int, kernel: Int, low: Int, high: Int) -> Range<Int> {
    let first = start >= low ? 0 : (low - start + dilation - 1) / dilation
    let end = start >= high ? 0 : min(kernel, (high - start + dilation - 1) / dilation)
    return first < end ? first..<end : 0..<0
  }

  private func pool(
    _ source: UnsafePointer<Float>, _ d: (start: Int, valid: Range<Int>, padded: Int),
    _ h: (start: Int, valid: Range<Int>, padded: Int), _ w: (start: Int, valid: Range<Int>, padded: Int)
  ) -> Float {
    let (inH, inW) = (axes.input[1], axes.input[2])
    let (dd, dh, dw) = (axes.dilations[0], axes.dilations[1], axes.dilations[2])
    var largest = -Float.infinity
    var sum: Float = 0
    for kd in d.valid {
      let id = d.start + kd * dd
      for kh in h.valid {
        let row = source + (id * inH + h.start + kh * dh) * inW
        for kw in w.valid {
          let value = row[w.start + kw * dw]
          largest = kind == .max && (value > largest || value.isNaN) ? value : largest
          sum += value
        }
      }
    }
    if kind == .max { return largest }
    let divisor = countIncludePad ? d.padded * h.padded * w.padded : d.valid.count * h.valid.count * w.valid.count
    return sum / Float(divisor)
  }
}
