import ResKernels
import ResPlan

/// `f32_matmul_generic`: numpy `matmul` with batch broadcasting, 1-D operands promoted (and their axis
/// dropped from the output), and the fused epilogue: a bias broadcast onto the output and a residual of the
/// output's shape. One GEMM per output batch entry; batches and tiles are split over workers. A constant B
/// (a weight matrix) is packed once at load instead of on every run.
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
  /// The output's batch axes, and the strides (in matrices) at which A and B are read along them.
  let batchShape: [Int]
  let aBatchStrides: [Int]
  let bBatchStrides: [Int]
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
    let aMatrix = a.rank == 1 ? [1, a.shape[0]] : Array(a.shape.suffix(2))
    let bMatrix = b.rank == 1 ? [b.shape[0], 1] : Array(b.shape.suffix(2))
    m = aMatrix[0]
    k = aMatrix[1]
    n = bMatrix[1]
    guard bMatrix[0] == k else {
      throw operands.failure("A \(ShapeText.of(a.shape)) and B \(ShapeText.of(b.shape)) disagree on K")
    }
    let aBatch = Array(a.shape.dropLast(2))
    let bBatch = Array(b.shape.dropLast(2))
    guard let batchShape = Broadcast.shape([aBatch, bBatch]) else {
      throw operands.failure("batch shapes of A \(ShapeText.of(a.shape)) and B \(ShapeText.of(b.shape)) do not broadcast")
    }
    self.batchShape = batchShape
    aBatchStrides = Broadcast.strides(of: aBatch, into: batchShape) ?? []
    bBatchStrides = Broadcast.strides(of: bBatch, into: batchShape) ?? []
    batchCount = try CheckedMath.product(batchShape, "\(operands.site): batch count")
    let expected = batchShape + (a.rank > 1 ? [m] : []) + (b.rank > 1 ? [n] : [])
    try operands.requireShape(y, "Y", expected)
    if let residual { try operands.requireShape(residual, "residual", expected) }
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
      biasBatchStrides = []
      biasRowStride = 0
      biasColumnStride = 0
    }
    packedB = try MatMulOperator.prepack(b, operands, batch: bBatch, k: k, n: n)
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
    // summed, three alternating runs); a whole one packs it, which measured as fast or faster on one thread.
    let isCut = tasks.count > batchCount
    context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
      let task = tasks[index]
      var aMatrix = 0
      var bMatrix = 0
      var biasOffset = 0
      var remainder = task.problem
      for axis in stride(from: batchShape.count - 1, through: 0, by: -1) {
        let position = remainder % batchShape[axis]
        remainder /= batchShape[axis]
        aMatrix += position * aBatchStrides[axis]
        bMatrix += position * bBatchStrides[axis]
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
      let aMatrixBase = aBase + aMatrix * m * k
      let a: GemmA =
        isCut ? .rows(aMatrixBase, rowStride: k) : .strided(aMatrixBase, rowStride: k, depthStride: 1)
      let c = output + task.problem * m * n
      let scratch = context.scratchFloats(worker: worker)
      if let packedB {
        GemmDriver.run(
          k: k, a: a, b: PrepackedPanels(packed: packedB[bMatrix]), c: c, cRowStride: n, epilogue: epilogue,
          rows: task.rows, columns: task.columns, scratch: scratch)
      } else {
        GemmDriver.run(
          k: k, a: a, b: StridedPanels(base: bBase + bMatrix * k * n, depthStride: n, columnStride: 1), c: c,
          cRowStride: n, epilogue: epilogue, rows: task.rows, columns: task.columns, scratch: scratch)
      }
    }
  }
}
