import ResPlan

/// `f32_resize`: nearest, (multi)linear or cubic resampling of X to Y's shape.
///
/// Each axis gets a table, built once when the plan loads, of the input positions every output position reads
/// and their weights (one tap for nearest, two for linear, four for cubic; the arithmetic in double precision as
/// plan.proto specifies). A run then sums, for each output element, the product of its axes' weights over
/// every combination of their taps. Axes that are not resized have a single tap of weight 1.
///
/// X and Y may both be channels-last (`[N, C, spatial...]` stored `[N, spatial..., C]`): the tables are then
/// built over the stored axes, and a row is a whole row of positions with their channels, contiguous
/// (`mergeLastTwoAxes`). Every element is the same sum
/// as in the row-major walk, in the same order: the taps of the spatial axes nest in their logical order, and
/// the channel axis, which a channels-last region never resamples, contributes a single tap of weight 1 (so
/// `w · 1 · x` is `w · x`), so the bits are the same. This lets an HRNet's or a feature pyramid's upsampling stay
/// inside the channels-last region of the convolutions around it instead of costing two reorders.
struct ResizeOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  /// The axes the run walks, in storage order: Y's logical shape, or when channels-last `[N, spatial...,
  /// C]` with its last two axes merged into one of `W · C` elements (`mergeLastTwoAxes`).
  let outputShape: [Int]
  let readsChannelsLast: Bool
  /// Per axis, per output position: the taps' element offsets into X (input position · axis stride) and
  /// weights, `tapsPerPosition[axis]` of each.
  let offsets: [[Int]]
  let weights: [[Float]]
  let tapsPerPosition: [Int]
  /// Per axis whose every output position reads one input position with weight 1 (an axis not resized, its
  /// other taps of weight 0): each position's offset; nil for the others. Such an axis before the last adds
  /// nothing to a sum but a pass over the row, so a row skips it: LR-ASPP's and DeepLabV3's upsampling of
  /// 12-wide rows spent most of their time on the batch and channel axes' levels.
  let passThrough: [[Int]?]
  /// Whether the last axis is passed through element for element (`passThrough` of `0, 1, 2, ...`): a
  /// channels-last row of channels, or a row-major row that is not resized. Its row is then one scaled copy,
  /// which vectorizes, instead of a walk through the offset and weight tables.
  let copiesLastAxis: Bool

  init(_ params: Rescompile_Plan_ResizeParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    y = try operands.output(0, "Y", .f32)
    guard y.rank == x.rank, params.scales.count == x.rank else {
      throw operands.failure(
        "Y \(ShapeText.of(y.shape)) and \(params.scales.count) scales must match X \(ShapeText.of(x.shape))'s rank")
    }
    guard params.scales.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw operands.failure("scales must be > 0") }
    let (inShape, outShape) = (x.shape, y.shape)
    guard inShape.indices.allSatisfy({ inShape[$0] > 0 || outShape[$0] == 0 }) else {
      throw operands.failure("X \(ShapeText.of(inShape)) has an empty axis that Y \(ShapeText.of(outShape)) does not")
    }
    readsChannelsLast = x.isChannelsLast
    guard y.layout == x.layout else { throw operands.failure("\(x.label) and \(y.label) must have the same layout") }
    guard !readsChannelsLast || (inShape[0] == outShape[0] && inShape[1] == outShape[1]) else {
      throw operands.failure("a channels-last resize keeps the batch and channel axes (X \(ShapeText.of(inShape)), Y \(ShapeText.of(outShape)))")
    }
    let sampling = try ResizeSampling(params, operands)
    let storedInput = readsChannelsLast ? StorageShapes.stored(inShape) : inShape
    let storedOutput = readsChannelsLast ? StorageShapes.stored(outShape) : outShape
    let scales = readsChannelsLast ? StorageShapes.stored(params.scales) : params.scales
    let strides = Broadcast.contiguousStrides(storedInput)
    var offsets: [[Int]] = []
    var weights: [[Float]] = []
    var taps: [Int] = []
    for axis in storedInput.indices {
      let table = sampling.taps(inLength: storedInput[axis], outLength: storedOutput[axis], scale: Double(scales[axis]))
      offsets.append(table.flatMap { $0.map { $0.index * strides[axis] } })
      weights.append(table.flatMap { $0.map { Float($0.weight) } })
      taps.append(sampling.tapsPerPosition)
    }
    var walked = storedOutput
    if readsChannelsLast, Self.isIdentity(offsets.last ?? [], weights.last ?? [], taps: sampling.tapsPerPosition) {
      Self.mergeLastTwoAxes(&walked, &offsets, &weights, &taps)
    }
    (self.offsets, self.weights, tapsPerPosition) = (offsets, weights, taps)
    outputShape = walked
    passThrough = walked.indices.map { axis in
      let count = taps[axis]
      var through: [Int] = []
      for position in 0..<walked[axis] {
        let tapRange = (position * count)..<((position + 1) * count)
        let weighted = tapRange.filter { weights[axis][$0] != 0 }
        guard weighted.count == 1, weights[axis][weighted[0]] == 1 else { return nil }
        through.append(offsets[axis][weighted[0]])
      }
      return through
    }
    if let last = passThrough.last, let through = last {
      copiesLastAxis = through == Array(through.indices)
    } else {
      copiesLastAxis = false
    }
  }

  /// Whether an axis's table reads, for every output position `p`, input position `p` (offset `p`: a last
  /// axis) with weight 1 and nothing else: the channels of a channels-last resize.
  private static func isIdentity(_ offsets: [Int], _ weights: [Float], taps: Int) -> Bool {
    let positions = offsets.count / max(taps, 1)
    return (0..<positions).allSatisfy { position in
      let range = (position * taps)..<((position + 1) * taps)
      let weighted = range.filter { weights[$0] != 0 }
      return weighted.count == 1 && weights[weighted[0]] == 1 && offsets[weighted[0]] == position
    }
  }

  /// Walks the last two stored axes of a channels-last resize, `W` and its identity channel axis `C`, as one
  /// axis of `W · C` elements: element `w · C + c` takes `w`'s taps, each at offset `+ c`. Rows are then whole
  /// image rows instead of one position's channels, which walked the tables a position at a time: a bilinear
  /// 8x upsampling of 5 channels to 96x96 (LR-ASPP's last step, which now stays row-major) took the network
  /// from 2.9 to 3.9 ms. Each element's sum is unchanged: the channel axis contributed only its one tap of
  /// weight 1, never multiplied in.
  private static func mergeLastTwoAxes(
    _ shape: inout [Int], _ offsets: inout [[Int]], _ weights: inout [[Float]], _ taps: inout [Int]
  ) {
    guard shape.count >= 2 else { return }
    let (width, channels, count) = (shape[shape.count - 2], shape[shape.count - 1], taps[taps.count - 2])
    let (widthOffsets, widthWeights) = (offsets[offsets.count - 2], weights[weights.count - 2])
    var mergedOffsets: [Int] = []
    var mergedWeights: [Float] = []
    mergedOffsets.reserveCapacity(width * channels * count)
    mergedWeights.reserveCapacity(width * channels * count)
    for position in 0..<width {
      for channel in 0..<channels {
        for tap in (position * count)..<((position + 1) * count) {
          mergedOffsets.append(widthOffsets[tap] + channel)
          mergedWeights.append(widthWeights[tap])
        }
      }
    }
    shape.removeLast(2)
    shape.append(width * channels)
    offsets.removeLast(2)
    offsets.append(mergedOffsets)
    weights.removeLast(2)
    weights.append(mergedWeights)
    taps.removeLast(2)
    taps.append(count)
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    guard y.count > 0 else { return }
    let rank = outputShape.count
    guard rank > 0 else {
      output[0] = 1 * input[0]  // a scalar resamples to itself
      return
    }
    let rowLength = outputShape[rank - 1]
    let rows = y.count / rowLength
    let workers = context.workers(elements: y.count, tasks: rows)
    let ranges = RunContext.ranges(of: rows, parts: RunContext.streamingPieces(workers: workers), granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: rank * rowLength) { levels in
        var coordinates = [Int](repeating: 0, count: rank)
        for row in ranges[task] {
          var remainder = row
          for axis in stride(from: rank - 2, through: 0, by: -1) {
            coordinates[axis] = remainder % outputShape[axis]
            remainder /= outputShape[axis]
          }
          let sums = sampleRow(
            input, coordinates, axis: 0, offset: 0, weight: 1, levels: levels.baseAddress!, rowLength: rowLength)
          (output + row * rowLength).update(from: sums, count: rowLength)
        }
      }
    }
  }

  /// One output row (the last axis) at once: returns `levels + a·rowLength` for some `a ≥ axis`, which holds,
  /// for every element of the row, the weighted sum over the taps of axes `axis...`, each element summed in
  /// exactly the order of one element at a time (the sum at each axis starts at 0 and adds its taps' sums in
  /// order), so the bits are the same. A row at a time instead of a recursion per element: LR-ASPP's bilinear
  /// upsampling of 46 K outputs took 1.1 ms. A pass-through axis before the last is skipped: its one tap of
  /// weight 1 leaves the weight as it is, and the `0 + sum` it would add changes no bits, since the last
  /// axis's sums already start at 0 (a −0 has become +0 there).
  private func sampleRow(
    _ input: UnsafePointer<Float>, _ coordinates: [Int], axis: Int, offset: Int, weight: Float,
    levels: UnsafeMutablePointer<Float>, rowLength: Int
  ) -> UnsafeMutablePointer<Float> {
    if axis < coordinates.count - 1, let through = passThrough[axis] {
      return sampleRow(
        input, coordinates, axis: axis + 1, offset: offset + through[coordinates[axis]], weight: weight,
        levels: levels, rowLength: rowLength)
    }
    let row = levels + axis * rowLength
    let taps = tapsPerPosition[axis]
    if axis == coordinates.count - 1, copiesLastAxis {
      // The one tap of weight 1 per element, at the element's own offset: `0 + (weight · 1) · x`, as below.
      for element in 0..<rowLength { row[element] = 0 + weight * input[offset &+ element] }
      return row
    }
    if axis == coordinates.count - 1 {
      weights[axis].withUnsafeBufferPointer { axisWeights in
        offsets[axis].withUnsafeBufferPointer { axisOffsets in
          // A tap of weight 0 adds −0, which leaves every sum's bits as skipping it did (x + −0 is x, −0
          // included), without a branch per tap; its input is read all the same (every tap's position is
          // clamped into the axis) and its product, NaN or not, discarded. A 2x bilinear upsampling to
          // 64x96x96: 2.2 → 1.25 ms with the linear loop below.
          if taps == 2 {
            // Linear: the two taps unrolled, a loop the compiler can vectorize (gathers).
            for element in 0..<rowLength {
              let first = element &* 2
              let (w0, w1) = (axisWeights[first], axisWeights[first &+ 1])
              let p0 = weight * w0 * input[offset &+ axisOffsets[first]]
              let p1 = weight * w1 * input[offset &+ axisOffsets[first &+ 1]]
              var total: Float = 0
              total += w0 != 0 ? p0 : -0.0
              total += w1 != 0 ? p1 : -0.0
              row[element] = total
            }
            return
          }
          for element in 0..<rowLength {
            var total: Float = 0
            var tap = element &* taps
            let end = tap &+ taps
            while tap < end {
              let tapWeight = axisWeights[tap]
              let term = weight * tapWeight * input[offset &+ axisOffsets[tap]]
              total += tapWeight != 0 ? term : -0.0
              tap &+= 1
            }
            row[element] = total
          }
        }
      }
      return row
    }
    row.update(repeating: 0, count: rowLength)
    let first = coordinates[axis] * taps
    for tap in first..<(first + taps) where weights[axis][tap] != 0 {
      let child = sampleRow(
        input, coordinates, axis: axis + 1, offset: offset + offsets[axis][tap], weight: weight * weights[axis][tap],
        levels: levels, rowLength: rowLength)
      for element in 0..<rowLength { row[element] += child[element] }
    }
    return row
  }
}

/// The coordinate arithmetic of `f32_resize` (plan.proto `ResizeParams`), per axis.
struct ResizeSampling {
  let params: Rescompile_Plan_ResizeParams

  init(_ params: Rescompile_Plan_ResizeParams, _ operands: StepOperands) throws(RuntimeError) {
    if case .UNRECOGNIZED(let raw) = params.mode { throw operands.failure("resize mode \(raw) is unknown") }
    if case .UNRECOGNIZED(let raw) = params.coordinates {
      throw operands.failure("resize coordinate mode \(raw) is unknown")
    }
    if case .UNRECOGNIZED(let raw) = params.nearest { throw operands.failure("resize nearest mode \(raw) is unknown") }
    self.params = params
  }

  var tapsPerPosition: Int {
    switch params.mode {
    case .linear: 2
    case .cubic: 4
    case .nearest, .UNRECOGNIZED: 1
    }
  }

  /// For each output position along one axis, its taps: input positions and weights.
  func taps(inLength: Int, outLength: Int, scale: Double) -> [[(index: Int, weight: Double)]] {
    let last = Double(max(inLength - 1, 0))
    return (0..<outLength).map { position in
      let x = Self.bounded(coordinate(position, scale: scale, inLength: inLength, outLength: outLength))
      switch params.mode {
      case .linear:
        let clamped = min(max(x, 0), last)
        let low = clamped.rounded(.down)
        return [(Int(low), 1 - (clamped - low)), (min(Int(low) + 1, inLength - 1), clamped - low)]
      case .cubic: return cubicTaps(x, inLength: inLength)
      case .nearest, .UNRECOGNIZED: return [(Int(min(max(rounded(x), 0), last)), 1)]
      }
    }
  }

  /// Keys' cubic convolution weights of the four taps around `x` (coefficient `cubic_coeff_a`), positions
  /// clamped to the axis; with `exclude_outside`, taps past the edges weigh 0 and the rest are renormalized.
  private func cubicTaps(_ x: Double, inLength: Int) -> [(index: Int, weight: Double)] {
    let a = Double(params.cubicCoeffA)
    let low = x.rounded(.down)
    let r = x - low
    var weights = [
      ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
      ((a + 2) * r - (a + 3)) * r * r + 1,
      ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
      ((a * (2 - r) - 5 * a) * (2 - r) + 8 * a) * (2 - r) - 4 * a,
    ]
    let positions = (0..<4).map { Int(low) - 1 + $0 }
    if params.excludeOutside {
      for k in 0..<4 where positions[k] < 0 || positions[k] >= inLength { weights[k] = 0 }
      let total = weights.reduce(0, +)
      if total != 0 { weights = weights.map { $0 / total } }
    }
    return (0..<4).map { (min(max(positions[$0], 0), inLength - 1), weights[$0]) }
  }

  private func coordinate(_ position: Int, scale: Double, inLength: Int, outLength: Int) -> Double {
    let out = Double(position)
    // The specification's resized length is `scale · inLength`, a real number (plan.proto ResizeParams).
    let resizedLength = scale * Double(inLength)
    switch params.coordinates {
    case .halfPixel: return (out + 0.5) / scale - 0.5
    case .halfPixelSymmetric:
      let adjustment = Double(outLength) / resizedLength
      return Double(inLength) / 2 * (1 - adjustment) + (out + 0.5) / scale - 0.5
    case .pytorchHalfPixel: return resizedLength > 1 ? (out + 0.5) / scale - 0.5 : 0
    case .alignCorners: return resizedLength == 1 ? 0 : out * Double(inLength - 1) / (resizedLength - 1)
    case .asymmetric, .UNRECOGNIZED: return out / scale
    }
  }

  /// `x` within ±2⁵², NaN as 0: a hostile plan's scale (1e-19, or one whose resized length rounds to 0) puts
  /// a coordinate past what converts to `Int`, or makes it NaN, and the conversion would trap. Every
  /// coordinate of a real resize is far inside, and past 2⁵² a double has no fraction left, so the taps of any
  /// other coordinate are unchanged: all of them clamp to the same edge.
  static func bounded(_ x: Double) -> Double {
    x.isNaN ? 0 : min(max(x, -0x1p52), 0x1p52)
  }

  private func rounded(_ x: Double) -> Double {
    let isHalf = x - x.rounded(.down) == 0.5
    switch params.nearest {
    case .floor: return x.rounded(.down)
    case .ceil: return x.rounded(.up)
    case .roundPreferFloor, .UNRECOGNIZED: return isHalf ? x.rounded(.down) : x.rounded()
    case .roundPreferCeil: return isHalf ? x.rounded(.up) : x.rounded()
    }
  }
}
