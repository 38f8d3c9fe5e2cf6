import ResKernels
import ResPlan

/// `f32_matmul_generic`: numpy `matmul` with batch broadcasting, 1-D operands promoted (and their axis
/// dropped from the output), and the fused epilogue: a bias broadcast onto the output and a residual of the
/// output's shape. One GEMM per output batch entry; batches and tiles are split over workers. A constant B
/// (a weight matrix) is packed once at load instead of on every run. A, B and the output may be transposes of
/// their buffers (`TransposedView`), read and written in place with strides.
struct MatMulOperator: Operator {
  let a: PlanBuffer
  let b: PlanBuffer
  let bias: PlanBuffer?
  let residual: PlanBuffer?
  let y: PlanBuffer
  let m: Int
  let n: Int
  let k: Int
  let activation: PointwiseFunction
  /// The output's batch axes, and the strides (in elements) at which A, B and Y are read or written along them.
  let batchShape: [Int]
  let aBatchStrides: [Int]
  let bBatchStrides: [Int]
  let yBatchStrides: [Int]
  /// B's batch strides in matrices, to pick a prepacked matrix.
  let bMatrixStrides: [Int]
  /// Element strides within one matrix: A's rows and reduction steps, B's reduction steps and columns, Y's rows
  /// (Y's columns are contiguous).
  let aRowStride: Int
  let aDepthStride: Int
  let bDepthStride: Int
  let bColumnStride: Int
  let yRowStride: Int
  /// Bias strides (in elements) along the batch axes, the rows and the columns.
  let biasBatchStrides: [Int]
  let biasRowStride: Int
  let biasColumnStride: Int
  let batchCount: Int
  /// A constant B, each of its matrices packed at load into the GEMM's column panels (transformer weights).
  let packedB: [PackedPanels]?

  init(_ params: Rescompile_Plan_MatMulParams, _ operands: StepOperands) throws(RuntimeError) {
    let epilogue = try FusedEpilogue(params.epilogue, operands)
    let count = epilogue.inputCount(fixed: 2)
    try operands.requireCounts(inputs: count...count, outputs: 1...1)
    a = try operands.input(0, "A", .f32)
    b = try operands.weight(1, "B")
    y = try operands.output(0, "Y", .f32)
    bias = epilogue.hasBias ? try operands.input(2, "bias", .f32) : nil
    residual = epilogue.hasResidual ? try operands.input(count - 1, "residual", .f32) : nil
    activation = epilogue.activation
    guard a.rank >= 1, b.rank >= 1 else { throw operands.failure("A and B must have rank 1 or more") }
    let transposes = try Self.transposes(params, a: a, b: b, operands)
    let aView = transposes.a
    let bView = transposes.b
    let aMatrix = a.rank == 1 ? [1, a.shape[0]] : Array(aView.shape.suffix(2))
    let bMatrix = b.rank == 1 ? [b.shape[0], 1] : Array(bView.shape.suffix(2))
    var m = aMatrix[0]
    k = aMatrix[1]
    n = bMatrix[1]
    guard bMatrix[0] == k else {
      throw operands.failure("A \(ShapeText.of(aView.shape)) and B \(ShapeText.of(bView.shape)) disagree on K")
    }
    let aBatch = Array(aView.shape.dropLast(2))
    let bBatch = Array(bView.shape.dropLast(2))
    guard let fullBatchShape = Broadcast.shape([aBatch, bBatch]) else {
      throw operands.failure(
        "batch shapes of A \(ShapeText.of(aView.shape)) and B \(ShapeText.of(bView.shape)) do not broadcast")
    }
    var batchShape = fullBatchShape
    var aBatchStrides = aView.batchStrides(axes: aBatch.count, into: batchShape)
    var bBatchStrides = bView.batchStrides(axes: bBatch.count, into: batchShape)
    var bMatrixStrides = Broadcast.strides(of: bBatch, into: batchShape) ?? []
    var aRowStride = a.rank == 1 ? k : aView.strides[aView.rank - 2]
    aDepthStride = a.rank == 1 ? 1 : aView.strides[aView.rank - 1]
    bDepthStride = b.rank == 1 ? 1 : bView.strides[bView.rank - 2]
    bColumnStride = b.rank == 1 ? 1 : bView.strides[bView.rank - 1]
    let expected = batchShape + (a.rank > 1 ? [m] : []) + (b.rank > 1 ? [n] : [])
    let yView = try Self.output(y, perm: params.yPerm, expected: expected, operands)
    var yBatchStrides = yView.batchStrides(axes: batchShape.count, into: batchShape)
    var yRowStride = a.rank > 1 && b.rank > 1 ? yView.strides[yView.rank - 2] : n
    if let residual { try operands.requireShape(residual, "residual", expected) }
    var biasBatchStrides: [Int] = []
    var biasRowStride = 0
    if let bias {
      guard let strides = Broadcast.strides(of: bias.shape, into: expected) else {
        throw operands.failure("bias (\(bias.label)) does not broadcast to \(ShapeText.of(expected))")
      }
      biasBatchStrides = Array(strides.prefix(batchShape.count))
      let matrixStrides = Array(strides.dropFirst(batchShape.count))
      // The output's matrix axes are [M, N], [M] (B is 1-D), [N] (A is 1-D) or none.
      biasRowStride = a.rank > 1 ? matrixStrides[0] : 0
      biasColumnStride = b.rank > 1 ? matrixStrides[matrixStrides.count - 1] : 0
    } else {
      biasColumnStride = 0
    }
    let rowStrides = [aRowStride, yRowStride] + (bias == nil ? [] : [biasRowStride])
    let batchStrides = [aBatchStrides, yBatchStrides] + (bias == nil ? [] : [biasBatchStrides])
    if a.rank > 1, b.rank > 1,
      let folded = Self.rowStridesFoldingBatch(
        batchShape, m: m, b: bBatchStrides, rowStrides: rowStrides, batchStrides: batchStrides)
    {
      m = try CheckedMath.product(batchShape + [m], "\(operands.site): rows")
      batchShape = []
      (aBatchStrides, bBatchStrides, bMatrixStrides, yBatchStrides, biasBatchStrides) = ([], [], [], [], [])
      (aRowStride, yRowStride) = (folded[0], folded[1])
      if bias != nil { biasRowStride = folded[2] }
    }
    self.m = m
    self.aRowStride = aRowStride
    self.yRowStride = yRowStride
    self.biasRowStride = biasRowStride
    self.batchShape = batchShape
    self.aBatchStrides = aBatchStrides
    self.bBatchStrides = bBatchStrides
    self.bMatrixStrides = bMatrixStrides
    self.yBatchStrides = yBatchStrides
    self.biasBatchStrides = biasBatchStrides
    batchCount = try CheckedMath.product(batchShape, "\(operands.site): batch count")
    packedB = try MatMulOperator.prepack(b, operands, batch: bBatch, k: k, n: n)
  }

  /// The row strides of A, Y and the bias (`rowStrides` and `batchStrides`, in that order) when the batch
  /// axes are just more rows of one GEMM, or nil: B must be the same matrix for every batch entry, and in each
  /// operand batch entry `e`'s row `i` must lie where row `e·m + i` would at one row stride (for one row per
  /// entry, `m = 1`, the innermost batch axis's stride is that row stride). An `[L, 1, E]` sequence
  /// (nn.MultiheadAttention's layout at batch 1, as torch.export writes ViT-B/16's projections) times an
  /// `[E, F]` weight was L products of one row each, every one streaming the whole weight: ViT-B/16's QKV
  /// projections took 19.5 ms each.
  static func rowStridesFoldingBatch(
    _ batchShape: [Int], m: Int, b: [Int], rowStrides: [Int], batchStrides: [[Int]]
  ) -> [Int]? {
    guard !batchShape.isEmpty, zip(batchShape, b).allSatisfy({ size, stride in size == 1 || stride == 0 }) else {
      return nil
    }
    var folded: [Int] = []
    for (rowStride, strides) in zip(rowStrides, batchStrides) {
      var row: Int? = m == 1 ? nil : rowStride
      var expected = m * rowStride
      for axis in batchShape.indices.reversed() where batchShape[axis] != 1 {
        if row == nil { (row, expected) = (strides[axis], strides[axis]) }
        guard strides[axis] == expected else { return nil }
        expected *= batchShape[axis]
      }
      folded.append(row ?? rowStride)
    }
    return folded
  }

  /// A and B as the product reads them: their buffers, or transposes of them (`a_perm`, `b_perm`).
  private static func transposes(
    _ params: Rescompile_Plan_MatMulParams, a: PlanBuffer, b: PlanBuffer, _ operands: StepOperands
  ) throws(RuntimeError) -> (a: TransposedView, b: TransposedView) {
    let isTransposed = !params.aPerm.isEmpty || !params.bPerm.isEmpty || !params.yPerm.isEmpty
    guard !isTransposed || (a.rank >= 2 && b.rank >= 2) else {
      throw operands.failure("a transposed operand needs A and B of rank 2 or more")
    }
    guard params.bPerm.isEmpty || b.packing == nil else {
      throw operands.failure("B (\(b.label)) is a packed constant and cannot be read transposed")
    }
    return (try view(a, "A", perm: params.aPerm, operands), try view(b, "B", perm: params.bPerm, operands))
  }

  private static func view(_ buffer: PlanBuffer, _ role: String, perm: [Int64], _ operands: StepOperands)
    throws(RuntimeError) -> TransposedView
  {
    guard !perm.isEmpty else { return TransposedView(contiguous: buffer.shape) }
    guard let view = TransposedView(reading: buffer.shape, perm: perm.map { Int(truncatingIfNeeded: $0) }) else {
      throw operands.failure("\(role)'s perm \(perm) is not a permutation of the axes of \(buffer.label)")
    }
    return view
  }

  /// Y as the product writes it: the output buffer, or the tensor whose transpose by `y_perm` the buffer is,
  /// which must have the product's shape and contiguous rows.
  private static func output(_ y: PlanBuffer, perm: [Int64], expected: [Int], _ operands: StepOperands)
    throws(RuntimeError) -> TransposedView
  {
    guard !perm.isEmpty else {
      try operands.requireShape(y, "Y", expected)
      return TransposedView(contiguous: expected)
    }
    let axes = perm.map { Int(truncatingIfNeeded: $0) }
    guard let view = TransposedView(writing: y.shape, perm: axes), axes.last == axes.count - 1 else {
      throw operands.failure(
        "Y's perm \(perm) is not a permutation of the axes of \(y.label) that keeps the last axis last")
    }
    guard view.shape == expected else {
      throw operands.failure(
        "Y (\(y.label)) transposed back by \(perm) has shape \(ShapeText.of(view.shape)), expected \(ShapeText.of(expected))")
    }
    return view
  }

  /// Every matrix of a constant B in `NR`-column panels (`DenseWeightLayouts.matMulB`), or nil when B is
  /// computed at run time.
  private static func prepack(
    _ b: PlanBuffer, _ operands: StepOperands, batch: [Int], k: Int, n: Int
  ) throws(RuntimeError) -> [PackedPanels]? {
    let matrices = try CheckedMath.product(batch, "\(operands.site): B batch count")
    return try operands.panels(
      of: b, layout: DenseWeightLayouts.matMulB(matrices: matrices, k: k, n: n, widths: .runtime))
  }

  /// A whole GEMM that `GemmDriver` runs (B computed at run time, or a product `ResidentWeightsGemm` does not
  /// take) of at most this many columns reads A in place on one thread too. Packing costs about the
  /// same per element of A whatever the width, while the products it serves grow with the columns: packed,
  /// ViT-tiny's MatMuls (192 columns, and 197 and 64 in attention) spent 6 % of the model's time packing and
  /// ran 5-20 % slower per step than in place; the encoder's 512- and 2048-column ones ran 2 % faster packed
  /// (whole model, CPU time, 20 alternating pairs of runs).
  static let inPlaceColumns = 384

  var scratchBytesPerWorker: Int {
    GemmDriver.scratchFloats(packsA: true) * 4
  }

  func run(_ context: RunContext) {
    let aBase = UnsafePointer(context.floats(a))
    let bBase = UnsafePointer(context.floats(b))
    let output = context.floats(y)
    let biasBase = bias.map { UnsafePointer(context.floats($0)) }
    let residualBase = residual.map { UnsafePointer(context.floats($0)) }
    let workers = context.workers(work: RunContext.work(batchCount, m, n, k), tasks: batchCount * m * n)
    let tasks = GemmPartition.tasks(problems: batchCount, m: m, n: n, workers: workers)
    // A cut GEMM reads A in place (`GemmA.rows`): column pieces would each pack all of A's rows again, and
    // on two threads in place measured faster for row pieces too (ViT-tiny's MatMul steps 24.0 -> 23.1 ms
    // summed, three alternating runs). So does a narrow one (`inPlaceColumns`) and one of a few rows, whose
    // weights stream from memory (`GemmDriver.isStreaming`); a wide whole one packs it.
    let readsInPlace = tasks.count > batchCount || n <= MatMulOperator.inPlaceColumns || m <= GemmDriver.kernel.mr
    // Constant weights against a row-major A keep each tile's weights in cache while A's rows pass
    // (`ResidentWeightsGemm`), on every thread count: its K blocks differ from `GemmDriver`'s, so the choice
    // must not depend on the split. ViT-tiny, one thread, 12 alternating rounds, MatMul steps summed: medians
    // 26.81 → 24.51 ms, minima 21.63 → 21.89; two threads unchanged. It took only products `GemmDriver`
    // would read in place anyway (`inPlaceColumns`) until its K blocks grew to 512 steps; then the
    // transformer encoder's 512- and 2048-column products, which `GemmDriver` ran faster packed, ran faster
    // here too (Zen 4, whole-network profiles, 6 alternating rounds, summed steps: one thread 50.7 → 48.6 ms,
    // two 25.5 → 25.0; ViT-tiny, ResNet-50 and MobileNetV2 unchanged).
    let residentWeights =
      packedB != nil && aDepthStride == 1 && ResidentWeightsGemm.applies(k: k, m: m, n: n)
    context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
      let task = tasks[index]
      var aOffset = 0
      var bOffset = 0
      var yOffset = 0
      var bMatrix = 0
      var biasOffset = 0
      var remainder = task.problem
      for axis in stride(from: batchShape.count - 1, through: 0, by: -1) {
        let position = remainder % batchShape[axis]
        remainder /= batchShape[axis]
        aOffset += position * aBatchStrides[axis]
        bOffset += position * bBatchStrides[axis]
        yOffset += position * yBatchStrides[axis]
        bMatrix += position * bMatrixStrides[axis]
        if !biasBatchStrides.isEmpty { biasOffset += position * biasBatchStrides[axis] }
      }
      var epilogue = MatrixEpilogue(activation: activation)
      if let biasBase {
        epilogue.bias = biasBase + biasOffset
        epilogue.biasRowStride = biasRowStride
        epilogue.biasColumnStride = biasColumnStride
      }
      if let residualBase {
        epilogue.residual = residualBase + task.problem * m * n
        epilogue.residualRowStride = n
      }
      let aMatrixBase = aBase + aOffset
      let a: GemmA =
        readsInPlace && aDepthStride == 1
        ? .rows(aMatrixBase, rowStride: aRowStride)
        : .strided(aMatrixBase, rowStride: aRowStride, depthStride: aDepthStride)
      let c = output + yOffset
      let scratch = context.scratchFloats(worker: worker)
      if let packedB, residentWeights {
        ResidentWeightsGemm.run(
          k: k, a: aMatrixBase, aRowStride: aRowStride, b: PrepackedPanels(packed: packedB[bMatrix]), c: c,
          cRowStride: yRowStride, epilogue: epilogue, rows: task.rows, columns: task.columns)
      } else if let packedB {
        GemmDriver.run(
          k: k, a: a, b: PrepackedPanels(packed: packedB[bMatrix]), c: c, cRowStride: yRowStride,
          epilogue: epilogue, rows: task.rows, columns: task.columns, scratch: scratch)
      } else {
        GemmDriver.run(
          k: k, a: a, b: StridedPanels(base: bBase + bOffset, depthStride: bDepthStride, columnStride: bColumnStride),
          c: c, cRowStride: yRowStride, epilogue: epilogue, rows: task.rows, columns: task.columns, scratch: scratch)
      }
    }
  }
}
