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
  /// The last two axes, computed separably.
  let lastTwoAxes: ResizeLastTwoAxes
  /// Whether every axis before the last two is passed through (the batch and channels of a 2-D resize): an
  /// output row is then one plane's row, and rows are walked plane by plane without the per-axis recursion.
  let upperAxesSelectPlanes: Bool

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
    let mergedRows = walked.count < storedInput.count
    let walkedInput = mergedRows ? storedInput.dropLast(2) + [storedInput.suffix(2).reduce(1, *)] : storedInput
    let rank = walked.count
    var copies = false
    if let last = passThrough.last, let through = last { copies = through == Array(through.indices) }
    lastTwoAxes = ResizeLastTwoAxes(
      lastAxis: (weights.last ?? [], offsets.last ?? [], taps.last ?? 1), inputLength: walkedInput.last ?? 1,
      rowAxis: rank >= 2 ? (weights[rank - 2], offsets[rank - 2], taps[rank - 2]) : nil, copies: copies,
      resamplesRowsFirst: rank >= 2 && walked[rank - 2] >= walkedInput[rank - 2])
    upperAxesSelectPlanes = passThrough.dropLast(2).allSatisfy { $0 != nil }
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
    let levels = upperAxesSelectPlanes ? 0 : (rank - 2) * rowLength
    let slots = lastTwoAxes.rowTaps
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: lastTwoAxes.workspaceLength + levels + slots) { floats in
        withUnsafeTemporaryAllocation(
          byteCount: 2 * slots * MemoryLayout<UnsafePointer<Float>>.stride,
          alignment: MemoryLayout<UnsafePointer<Float>>.alignment
        ) { pointers in
          let scratch = floats.baseAddress!
          var workspace = ResizeLastTwoAxes.Workspace(
            storage: scratch, pointers: pointers.baseAddress!, scales: scratch + lastTwoAxes.workspaceLength + levels,
            slots: slots)
          if upperAxesSelectPlanes {
            samplePlaneRows(ranges[task], input, output, &workspace)
          } else {
            for row in ranges[task] {
              var coordinates = [Int](repeating: 0, count: rank)
              var remainder = row
              for axis in stride(from: rank - 2, through: 0, by: -1) {
                coordinates[axis] = remainder % outputShape[axis]
                remainder /= outputShape[axis]
              }
              sampleRow(
                input, coordinates, axis: 0, offset: 0, weight: 1, levels: scratch + lastTwoAxes.workspaceLength,
                into: output + row * rowLength, &workspace)
            }
          }
        }
      }
    }
  }

  /// Output rows `rows` when every axis before the last two is passed through: a row is row `h` of a plane
  /// whose input offset the pass-through tables give, worked out once per plane.
  private func samplePlaneRows(
    _ rows: Range<Int>, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    _ workspace: inout ResizeLastTwoAxes.Workspace
  ) {
    let rank = outputShape.count
    let (rowLength, height) = (outputShape[rank - 1], rank >= 2 ? outputShape[rank - 2] : 1)
    var (plane, planeOffset) = (-1, 0)
    for row in rows {
      let (rowPlane, position) = row.quotientAndRemainder(dividingBy: height)
      if rowPlane != plane {
        plane = rowPlane
        planeOffset = 0
        var remainder = plane
        for axis in stride(from: rank - 3, through: 0, by: -1) {
          planeOffset += passThrough[axis]![remainder % outputShape[axis]]
          remainder /= outputShape[axis]
        }
      }
      lastTwoAxes.sampleRow(position, of: input + planeOffset, weight: 1, &workspace, into: output + row * rowLength)
    }
  }

  /// One output row into `row`: the weighted sum over the taps of axes `axis...`, each axis before the last
  /// two starting at 0 and adding its taps' sums (each computed in `levels + axis · rowLength`) in order, the
  /// last two separably (`ResizeLastTwoAxes`). A pass-through axis is skipped: its one tap of weight 1 leaves
  /// the weight as it is, and the `0 + sum` it would add changes no bits, since the sums below it already
  /// start at 0 (a −0 has become +0 there). The walk for resizes whose upper axes are not all passed
  /// through (a trilinear volume); a row at a time instead of a recursion per element: LR-ASPP's bilinear
  /// upsampling of 46 K outputs took 1.1 ms.
  private func sampleRow(
    _ input: UnsafePointer<Float>, _ coordinates: [Int], axis: Int, offset: Int, weight: Float,
    levels: UnsafeMutablePointer<Float>, into row: UnsafeMutablePointer<Float>,
    _ workspace: inout ResizeLastTwoAxes.Workspace
  ) {
    let rank = coordinates.count
    guard axis < rank - 2 else {
      let position = rank >= 2 ? coordinates[rank - 2] : 0
      return lastTwoAxes.sampleRow(position, of: input + offset, weight: weight, &workspace, into: row)
    }
    if let through = passThrough[axis] {
      return sampleRow(
        input, coordinates, axis: axis + 1, offset: offset + through[coordinates[axis]], weight: weight,
        levels: levels, into: row, &workspace)
    }
    let rowLength = outputShape[rank - 1]
    let child = levels + axis * rowLength
    row.update(repeating: 0, count: rowLength)
    let taps = tapsPerPosition[axis]
    let first = coordinates[axis] * taps
    for tap in first..<(first + taps) where weights[axis][tap] != 0 {
      sampleRow(
        input, coordinates, axis: axis + 1, offset: offset + offsets[axis][tap], weight: weight * weights[axis][tap],
        levels: levels, into: child, &workspace)
      for element in 0..<rowLength { row[element] += child[element] }
    }
  }
}
