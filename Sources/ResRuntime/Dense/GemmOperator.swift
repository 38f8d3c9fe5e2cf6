import ResKernels
import ResPlan

/// `f32_gemm_generic`: ONNX Gemm, `Y = activation(alpha·A'·B' + beta·C + residual)` with `A'`, `B'` optionally
/// transposed and `C` broadcast to `[M, N]`. Transposition is only a choice of strides for the packing; a
/// constant A or B is prepacked when the plan loads. A single row of A against a packed B (a classifier at
/// batch 1) runs the one-row kernel (`runRow`) instead of the 6-row driver.
struct GemmOperator: Operator {
  let a: PlanBuffer
  let b: PlanBuffer
  let c: PlanBuffer?
  let residual: PlanBuffer?
  let y: PlanBuffer
  let m: Int
  let n: Int
  let k: Int
  let transA: Bool
  let transB: Bool
  let alpha: Float
  let beta: Float
  let activation: PointwiseFunction
  /// C's strides over the output's rows and columns (0 on a broadcast axis).
  let cRowStride: Int
  let cColumnStride: Int
  let packedA: PackedPanels?
  /// A constant B packed at load into the GEMM's column panels (a classifier's or an MLP's weights).
  let packedB: PackedPanels?

  init(_ params: Rescompile_Plan_GemmParams, _ operands: StepOperands) throws(RuntimeError) {
    let epilogue = try FusedEpilogue(params.epilogue, operands)
    let count = epilogue.inputCount(fixed: 2)
    try operands.requireCounts(inputs: count...count, outputs: 1...1)
    a = try operands.weight(0, "A")
    b = try operands.weight(1, "B")
    y = try operands.output(0, "Y", .f32)
    c = epilogue.hasBias ? try operands.input(2, "C", .f32) : nil
    residual = epilogue.hasResidual ? try operands.input(count - 1, "residual", .f32) : nil
    try operands.requireRank(a, "A", 2...2)
    try operands.requireRank(b, "B", 2...2)
    transA = params.transA
    transB = params.transB
    alpha = params.alpha
    beta = params.beta
    activation = epilogue.activation
    m = transA ? a.shape[1] : a.shape[0]
    k = transA ? a.shape[0] : a.shape[1]
    n = transB ? b.shape[0] : b.shape[1]
    let bDepth = transB ? b.shape[1] : b.shape[0]
    guard bDepth == k else {
      throw operands.failure(
        "A' is \(m)x\(k) but B' is \(bDepth)x\(n) (A \(ShapeText.of(a.shape)), B \(ShapeText.of(b.shape)))")
    }
    try operands.requireShape(y, "Y", [m, n])
    if let residual { try operands.requireShape(residual, "residual", [m, n]) }
    if let c {
      guard c.rank <= 2, let strides = Broadcast.strides(of: c.shape, into: [m, n]) else {
        throw operands.failure("C (\(c.label)) does not broadcast to [\(m),\(n)]")
      }
      cRowStride = strides[0]
      cColumnStride = strides[1]
    } else {
      cRowStride = 0
      cColumnStride = 0
    }
    packedA = try operands.panels(
      of: a, layout: DenseWeightLayouts.gemmA(m: m, k: k, transposed: transA, widths: .runtime))?.first
    packedB = try operands.panels(
      of: b, layout: DenseWeightLayouts.gemmB(k: k, n: n, transposed: transB, widths: .runtime))?.first
  }

  /// The kernel of a product whose A is one row (`runRow`).
  static let rowKernel = MicrokernelRegistry.gemmRow

  var scratchBytesPerWorker: Int {
    GemmDriver.scratchFloats(packsA: packedA == nil) * 4
  }

  func run(_ context: RunContext) {
    let aBase = UnsafePointer(context.floats(a))
    let bBase = UnsafePointer(context.floats(b))
    let output = context.floats(y)
    var epilogue = MatrixEpilogue(alpha: alpha, activation: activation)
    if let c {
      epilogue.bias = UnsafePointer(context.floats(c))
      epilogue.biasRowStride = cRowStride
      epilogue.biasColumnStride = cColumnStride
      epilogue.biasScale = beta
    }
    if let residual {
      epilogue.residual = UnsafePointer(context.floats(residual))
      epilogue.residualRowStride = n
    }
    if m == 1, packedA == nil, let packedB, packedB.width == Self.rowKernel.nr {
      runRow(context, a: aBase, b: packedB, output: output, epilogue: epilogue)
      return
    }
    let panels = StridedPanels(base: bBase, depthStride: transB ? 1 : n, columnStride: transB ? k : 1)
    let workers = context.workers(work: RunContext.work(m, n, k), tasks: m * n)
    let tasks = GemmPartition.tasks(problems: 1, m: m, n: n, workers: workers)
    // A row-major A computed at run time is read as `MatMulOperator` reads one: in place where the product is
    // cut, narrow or of few rows, and against constant weights by `ResidentWeightsGemm`, chosen on the whole
    // product so that every split sums alike. GPT-2's projections are Gemms (its Conv1D): with A packed and
    // the driver's order, 4 tokens of GPT-2 base ran 1.29x onnxruntime's time.
    let rowMajorA = packedA == nil && !transA
    let readsInPlace =
      rowMajorA && (tasks.count > 1 || n <= MatMulOperator.inPlaceColumns || m <= GemmDriver.kernel.mr)
    let residentWeights = rowMajorA && packedB != nil && ResidentWeightsGemm.applies(k: k, m: m, n: n)
    let aOperand: GemmA =
      if let packedA { .packed(packedA.base) } else if readsInPlace { .rows(aBase, rowStride: k) } else {
        .strided(aBase, rowStride: transA ? 1 : k, depthStride: transA ? m : 1)
      }
    context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
      let scratch = context.scratchFloats(worker: worker)
      if let packedB, residentWeights {
        ResidentWeightsGemm.run(
          k: k, a: aBase, aRowStride: k, b: PrepackedPanels(packed: packedB), c: output, cRowStride: n,
          epilogue: epilogue, rows: tasks[index].rows, columns: tasks[index].columns)
      } else if let packedB {
        GemmDriver.run(
          k: k, a: aOperand, b: PrepackedPanels(packed: packedB), c: output, cRowStride: n, epilogue: epilogue,
          rows: tasks[index].rows, columns: tasks[index].columns, scratch: scratch)
      } else {
        GemmDriver.run(
          k: k, a: aOperand, b: panels, c: output, cRowStride: n, epilogue: epilogue, rows: tasks[index].rows,
          columns: tasks[index].columns, scratch: scratch)
      }
    }
  }

  /// A single row of A (a classifier at batch 1) against B packed at load: the row is read in place (one row
  /// of A' is contiguous whether or not A is transposed) by the one-row kernel, B's column panels split over
  /// the workers in streaming pieces. The 6-row driver spent six broadcasts and multiply-adds per step on the
  /// one row.
  private func runRow(
    _ context: RunContext, a: UnsafePointer<Float>, b: PackedPanels, output: UnsafeMutablePointer<Float>,
    epilogue: MatrixEpilogue
  ) {
    let kernel = Self.rowKernel
    let panels = (n + kernel.nr - 1) / kernel.nr
    let workers = context.workers(work: RunContext.work(n, k), tasks: panels)
    let ranges = RunContext.ranges(of: panels, parts: RunContext.streamingPieces(workers: workers), granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { index, _ in
      for panel in ranges[index] {
        let column = panel * kernel.nr
        kernel.run(
          GemmTile(
            depth: k, a: a, aRowStride: k, b: b.panel(panel), c: output + column, cRowStride: n, rows: 1,
            columns: min(kernel.nr, n - column), accumulate: false, epilogue: epilogue.tile(row: 0, column: column)))
      }
    }
  }
}
