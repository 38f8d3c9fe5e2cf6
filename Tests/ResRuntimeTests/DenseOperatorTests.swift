import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// `f32_gemm_generic` and `f32_matmul_generic` against naive products, and the GEMM driver's work split.
@Suite struct DenseOperatorTests {
  struct GemmCase: CustomStringConvertible, Sendable {
    var m: Int
    var n: Int
    var k: Int
    var transA = false
    var transB = false
    var cShape: [Int]? = nil
    var alpha: Float = 1
    var beta: Float = 1
    var residual = false
    var activation: Rescompile_Plan_Activation.Kind = .none
    var constantA = false
    var constantB = false

    var description: String {
      let flags: String =
        "tA \(transA) tB \(transB) C \(cShape.map { "\($0)" } ?? "none") constant A \(constantA) B \(constantB)"
      return "\(m)x\(n)x\(k) \(flags) alpha \(alpha) beta \(beta) residual \(residual) \(activation)"
    }
  }

  static let gemmCases: [GemmCase] = [
    GemmCase(m: 5, n: 15, k: 255, cShape: [15]),
    GemmCase(m: 6, n: 16, k: 256, transA: true, cShape: [6, 1], alpha: 0.5, beta: 2),
    GemmCase(m: 7, n: 17, k: 257, transB: true, cShape: [7, 17], residual: true, activation: .relu),
    GemmCase(m: 1, n: 33, k: 3, transA: true, transB: true, cShape: [], constantA: true),
    GemmCase(m: 13, n: 1, k: 600, cShape: [1, 1], beta: -1, activation: .tanh, constantA: true),
    GemmCase(m: 4, n: 9, k: 0, cShape: [4, 9], residual: true),
    GemmCase(m: 130, n: 40, k: 70, transB: true, cShape: [40], residual: true, activation: .gelu, constantA: true),
    // K just past one block (`GemmDriver.kc`, 384), cut into two equal blocks, and into three with a shorter
    // last one; 8 columns take the half-width tiles, whose even/odd sums restart in every block.
    GemmCase(m: 14, n: 8, k: 385, cShape: [8], residual: true, activation: .relu, constantA: true),
    GemmCase(m: 7, n: 21, k: 769, transA: true, cShape: [7, 1]),
    // A classifier (B the constant weights, transposed) and an MLP layer, B packed at load.
    GemmCase(m: 3, n: 37, k: 300, transB: true, cShape: [37], constantB: true),
    GemmCase(m: 9, n: 20, k: 33, cShape: [20], activation: .relu, constantA: true, constantB: true),
    // One row of A against a packed B (the one-row kernel): a classifier with enough work for three threads to
    // split its panels, and a transposed A with alpha, beta, a residual and a ragged last panel. The constant-A
    // row above keeps the driver.
    GemmCase(m: 1, n: 300, k: 901, transB: true, cShape: [300], activation: .relu, constantB: true),
    GemmCase(m: 1, n: 37, k: 6, transA: true, cShape: [1, 37], alpha: 0.5, beta: 2, residual: true, constantB: true),
    // A row-major A against constant B, read in place as MatMul's (GPT-2's Conv1D projections): a few tokens
    // on `ResidentWeightsGemm` (8 rows as tiles of 4 + 4, two K blocks, alpha and beta on the generic store),
    // more rows with B transposed, and four rows streaming through `GemmDriver`.
    GemmCase(m: 8, n: 48, k: 600, cShape: [8, 48], alpha: 0.5, beta: 2, residual: true, activation: .relu,
      constantB: true),
    GemmCase(m: 20, n: 40, k: 130, transB: true, cShape: [40], constantB: true),
    GemmCase(m: 4, n: 64, k: 100, cShape: [64], activation: .gelu, constantB: true),
  ]

  @Test(arguments: gemmCases)
  func gemmMatchesNaiveProduct(_ spec: GemmCase) throws {
    var random = SeededGenerator(seed: UInt64(spec.m * 1000 + spec.n * 10 + spec.k))
    let a = random.floats(spec.m * spec.k)
    let b = random.floats(spec.k * spec.n)
    let cCount = spec.cShape?.reduce(1, *) ?? 0
    let c = random.floats(cCount)
    let r = random.floats(spec.m * spec.n)
    var params = Rescompile_Plan_GemmParams()
    params.alpha = spec.alpha
    params.beta = spec.beta
    params.transA = spec.transA
    params.transB = spec.transB
    params.epilogue.hasBias_p = spec.cShape != nil
    params.epilogue.hasResidual_p = spec.residual
    params.epilogue.activation.kind = spec.activation
    let aShape = spec.transA ? [spec.k, spec.m] : [spec.m, spec.k]
    let bShape = spec.transB ? [spec.n, spec.k] : [spec.k, spec.n]
    var inputs = [
      StepOperand(aShape, floats: a, constant: spec.constantA), StepOperand(bShape, floats: b, constant: spec.constantB),
    ]
    if let cShape = spec.cShape { inputs.append(StepOperand(cShape, floats: c, constant: true)) }
    if spec.residual { inputs.append(StepOperand([spec.m, spec.n], floats: r)) }
    var expected: [Double] = []
    for i in 0..<spec.m {
      for j in 0..<spec.n {
        var sum = 0.0
        for p in 0..<spec.k {
          let left = spec.transA ? a[p * spec.m + i] : a[i * spec.k + p]
          let right = spec.transB ? b[j * spec.k + p] : b[p * spec.n + j]
          sum += Double(left) * Double(right)
        }
        var value = Double(spec.alpha) * sum
        if let cShape = spec.cShape {
          let padded = [Int](repeating: 1, count: 2 - cShape.count) + cShape
          let index = (padded[0] == 1 ? 0 : i) * padded[1] + (padded[1] == 1 ? 0 : j)
          value += Double(spec.beta) * Double(c[index])
        }
        if spec.residual { value += Double(r[i * spec.n + j]) }
        expected.append(NaiveMath.pointwise(testFunction(params.epilogue.activation), value))
      }
    }
    let result = try StepHarness.run(.f32GemmGeneric, .gemm(params), inputs: inputs, outputs: [(.f32, [spec.m, spec.n])])
    expectClose(result[0], expected, absolute: 2e-6 * Double(spec.k + 2), relative: 1e-4, "\(spec)")
    let threaded = try StepHarness.run(
      .f32GemmGeneric, .gemm(params), inputs: inputs, outputs: [(.f32, [spec.m, spec.n])], threads: 3)
    #expect(threaded[0] == result[0], "three threads must give bit-identical results: \(spec)")
    // Constant operands packed by the plan, in the layout the runtime reads (in place) or another (repacked).
    for widths in [PanelWidths.runtime, PanelWidths(gemmRows: 4, gemmColumns: 8, directConvLanes: 16)] {
      var packed = inputs
      if spec.constantA {
        packed[0].packing = DenseWeightLayouts.gemmA(m: spec.m, k: spec.k, transposed: spec.transA, widths: widths)
      }
      if spec.constantB {
        packed[1].packing = DenseWeightLayouts.gemmB(k: spec.k, n: spec.n, transposed: spec.transB, widths: widths)
      }
      guard spec.constantA || spec.constantB else { break }
      let fromPacked = try StepHarness.run(
        .f32GemmGeneric, .gemm(params), inputs: packed, outputs: [(.f32, [spec.m, spec.n])])
      #expect(fromPacked[0] == result[0], "packed for \(widths): \(spec)")
    }
  }

  struct MatMulCase: CustomStringConvertible, Sendable {
    var a: [Int]
    var b: [Int]
    var y: [Int]
    var bias: [Int]? = nil
    var residual = false

    var description: String { "\(a) x \(b) -> \(y) bias \(bias.map { "\($0)" } ?? "none") residual \(residual)" }
  }

  static let matMulCases: [MatMulCase] = [
    MatMulCase(a: [3, 4], b: [4, 5], y: [3, 5], bias: [5]),
    MatMulCase(a: [2, 1, 3, 4], b: [3, 4, 2], y: [2, 3, 3, 2], bias: [3, 1, 2], residual: true),
    MatMulCase(a: [4], b: [2, 4, 3], y: [2, 3]),
    MatMulCase(a: [2, 5, 4], b: [4], y: [2, 5], bias: [5]),
    MatMulCase(a: [4], b: [4], y: []),
    MatMulCase(a: [1, 7, 300], b: [300, 18], y: [1, 7, 18], bias: [18], residual: true),
    // Enough work for three threads, split along columns (multiples of the panel width): A read in place.
    MatMulCase(a: [1, 64, 96], b: [96, 200], y: [1, 64, 200], bias: [200]),
    // A 1024-step reduction: two K blocks with B constant (`ResidentWeightsGemm`), three packed per run
    // (`GemmDriver`).
    MatMulCase(a: [13, 1024], b: [1024, 100], y: [13, 100], bias: [100]),
    // Constant B against an A read in place on every thread count (`ResidentWeightsGemm`, K blocks of 367,
    // 367 and 366, a last panel of 4 columns whose half-width sums restart every block): three threads cut
    // the 100 columns into pieces, which must sum as the whole does.
    MatMulCase(a: [12, 1100], b: [1100, 100], y: [12, 100], bias: [100], residual: true),
    // Wider than `MatMulOperator.inPlaceColumns`: constant B still takes `ResidentWeightsGemm` on every thread
    // count (two K blocks of 300), a computed one `GemmDriver` with A packed on one thread.
    MatMulCase(a: [20, 600], b: [600, 400], y: [20, 400], bias: [400], residual: true),
    // 40 and 24 columns: on 256-bit vectors a last tile of 16 + 8 columns runs as one 6 × 24 tile
    // (`GemmDriver.lastTileKernel`, the 16-column strip), whatever piece of the columns a thread gets.
    MatMulCase(a: [30, 200], b: [200, 40], y: [30, 40], bias: [40], residual: true),
    MatMulCase(a: [1, 50, 48], b: [48, 40], y: [1, 50, 40], bias: [40]),
    MatMulCase(a: [67, 130], b: [130, 24], y: [67, 24], bias: [24], residual: true),
    // A transformer's few tokens against constant B (`ResidentWeightsGemm`, two K blocks): 8 rows as tiles
    // of 4 + 4 and 14 as 6 + 4 + 4 (`RowTiling`), the first two tiles of each block hinting the next.
    MatMulCase(a: [1, 8, 600], b: [600, 48], y: [1, 8, 48], bias: [48], residual: true),
    MatMulCase(a: [14, 520], b: [520, 32], y: [14, 32], bias: [32]),
  ]

  /// Each case with B constant (packed at load) and computed (packed per run), on one and three threads.
  @Test(arguments: matMulCases, [true, false])
  func matMulMatchesNumpySemantics(_ spec: MatMulCase, constantB: Bool) throws {
    var random = SeededGenerator(seed: UInt64(spec.a.reduce(1, *) + spec.b.reduce(3, *)))
    let a = random.floats(spec.a.reduce(1, *))
    let b = random.floats(spec.b.reduce(1, *))
    let bias = random.floats(spec.bias?.reduce(1, *) ?? 0)
    let r = random.floats(spec.y.reduce(1, *))
    var params = Rescompile_Plan_MatMulParams()
    params.epilogue.hasBias_p = spec.bias != nil
    params.epilogue.hasResidual_p = spec.residual
    var inputs = [StepOperand(spec.a, floats: a), StepOperand(spec.b, floats: b, constant: constantB)]
    if let shape = spec.bias { inputs.append(StepOperand(shape, floats: bias, constant: true)) }
    if spec.residual { inputs.append(StepOperand(spec.y, floats: r)) }
    let expected = NaiveMatMul.compute(a: a, aShape: spec.a, b: b, bShape: spec.b, outputShape: spec.y).enumerated()
      .map { index, value in
        var total = value
        if let shape = spec.bias { total += Double(bias[NaiveMatMul.broadcastIndex(index, from: spec.y, to: shape)]) }
        if spec.residual { total += Double(r[index]) }
        return total
      }
    let result = try StepHarness.run(.f32MatMulGeneric, .matmul(params), inputs: inputs, outputs: [(.f32, spec.y)])
    expectClose(result[0], expected, absolute: 1e-5 * Double(spec.a.last ?? 1), relative: 1e-4, "\(spec)")
    let threaded = try StepHarness.run(
      .f32MatMulGeneric, .matmul(params), inputs: inputs, outputs: [(.f32, spec.y)], threads: 3)
    #expect(threaded[0] == result[0], "three threads must give bit-identical results (\(spec))")
    guard constantB else { return }
    let (k, n) = spec.b.count == 1 ? (spec.b[0], 1) : (spec.b[spec.b.count - 2], spec.b[spec.b.count - 1])
    let matrices = spec.b.dropLast(min(2, spec.b.count)).reduce(1, *)
    for widths in [PanelWidths.runtime, PanelWidths(gemmRows: 6, gemmColumns: 8, directConvLanes: 16)] {
      var packed = inputs
      packed[1].packing = DenseWeightLayouts.matMulB(matrices: matrices, k: k, n: n, widths: widths)
      let fromPacked = try StepHarness.run(.f32MatMulGeneric, .matmul(params), inputs: packed, outputs: [(.f32, spec.y)])
      #expect(fromPacked[0] == result[0], "B packed for \(widths): \(spec)")
    }
  }

  @Test func matMulRejectsMismatchedShapes() {
    let params = Rescompile_Plan_MatMulParams()
    let a = StepOperand([2, 3], [Double](repeating: 1, count: 6))
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(params), inputs: [a, StepOperand([4, 2], [Double](repeating: 1, count: 8))],
        outputs: [(.f32, [2, 2])], containing: "K"))
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(params), inputs: [a, StepOperand([3, 2], [Double](repeating: 1, count: 6))],
        outputs: [(.f32, [2, 3])], containing: "Y"))
    #expect(
      StepHarness.rejects(
        .f32MatMulGeneric, .matmul(params),
        inputs: [StepOperand([2, 2, 3], [Double](repeating: 1, count: 12)), StepOperand([3, 3, 2], [Double](repeating: 1, count: 18))],
        outputs: [(.f32, [3, 2, 2])], containing: "broadcast"))
  }

  /// The same product split into every kind of piece gives bit-identical output: the split only chooses
  /// which tiles a call computes, never how an element is summed.
  @Test func gemmDriverSplitsAreBitIdentical() {
    let (m, n, k) = (37, 53, 300)
    var random = SeededGenerator(seed: 3)
    let a = random.floats(m * k)
    let b = random.floats(k * n)
    let bias = random.floats(n)
    func product(_ pieces: [(rows: Range<Int>, columns: Range<Int>)]) -> [Float] {
      var c = [Float](repeating: 0, count: m * n)
      var scratch = [Float](repeating: 0, count: GemmDriver.scratchFloats(packsA: true))
      a.withUnsafeBufferPointer { aPointer in
        b.withUnsafeBufferPointer { bPointer in
          bias.withUnsafeBufferPointer { biasPointer in
            c.withUnsafeMutableBufferPointer { cPointer in
              scratch.withUnsafeMutableBufferPointer { scratchPointer in
                var epilogue = MatrixEpilogue(activation: .relu)
                epilogue.bias = biasPointer.baseAddress
                epilogue.biasColumnStride = 1
                for piece in pieces {
                  GemmDriver.run(
                    k: k, a: .strided(aPointer.baseAddress!, rowStride: k, depthStride: 1),
                    b: StridedPanels(base: bPointer.baseAddress!, depthStride: n, columnStride: 1),
                    c: cPointer.baseAddress!, cRowStride: n, epilogue: epilogue, rows: piece.rows, columns: piece.columns,
                    scratch: scratchPointer.baseAddress!)
                }
              }
            }
          }
        }
      }
      return c
    }
    let whole = product([(0..<m, 0..<n)])
    for workers in [2, 3, 8] {
      let pieces = GemmPartition.tasks(problems: 1, m: m, n: n, workers: workers).map { ($0.rows, $0.columns) }
      #expect(pieces.count > 1)
      #expect(product(pieces) == whole, "\(workers) workers")
    }
    let byRows = RunContext.ranges(of: m, parts: 4, granule: 6).map { ($0, 0..<n) }
    #expect(product(byRows) == whole)
  }

  /// A column block is whole tiles of the block's kernel, within the B block (`bBlockFloats`) unless one tile
  /// alone exceeds it, and the blocks of a product are of one size: ResNet-50's 1024→256 layer (K blocks of
  /// 342 steps, 64-column tiles) takes two blocks of 128 columns, not 176 and 80 ending in narrower tiles.
  @Test func columnBlocksAreWholeTilesOfOneSize() {
    #expect(GemmDriver.columnsPerBlock(depth: 342, columns: 256, tile: 64) == 128)
    #expect(GemmDriver.columnsPerBlock(depth: 64, columns: 256, tile: 64) == 256)
    for depth in [1, 64, 200, 342, 384] {
      for columns in [16, 53, 256, 1000, 4096] {
        for tile in [16, 32, 64] {
          let block = GemmDriver.columnsPerBlock(depth: depth, columns: columns, tile: tile)
          #expect(block % tile == 0 && block >= tile, "\(depth) \(columns) \(tile)")
          #expect(block * depth <= GemmDriver.bBlockFloats || block == tile, "\(depth) \(columns) \(tile)")
          let blocks = (columns + block - 1) / block
          let most = max(tile, GemmDriver.bBlockFloats / depth / tile * tile)
          #expect(blocks == (columns + most - 1) / most, "as few blocks as fit: \(depth) \(columns) \(tile)")
        }
      }
    }
  }

  /// Row blocks are whole tiles within `aBlockFloats` and cut evenly: a transformer's 128 tokens and
  /// ViT-tiny's 197 are one block (no second block of a few rows sweeping all of B again), 1000 rows four of
  /// 252 or fewer.
  @Test func rowBlocksAreEvenWholeTiles() {
    #expect(GemmDriver.rowsPerBlock(rows: 128, depth: 256, tile: 12) >= 128)
    #expect(GemmDriver.rowsPerBlock(rows: 197, depth: 384, tile: 12) >= 197)
    #expect(GemmDriver.rowsPerBlock(rows: 1000, depth: 384, tile: 12) == 252)
    for depth in [1, 64, 256, 384] {
      for rows in [1, 7, 128, 197, 1000, 5000] {
        for tile in [6, 12] {
          let block = GemmDriver.rowsPerBlock(rows: rows, depth: depth, tile: tile)
          #expect(block % tile == 0 && block >= tile, "\(depth) \(rows) \(tile)")
          #expect(block * depth <= GemmDriver.aBlockFloats || block == tile, "\(depth) \(rows) \(tile)")
          let most = max(tile, GemmDriver.aBlockFloats / depth / tile * tile)
          #expect((rows + block - 1) / block == (rows + most - 1) / most, "as few blocks as fit: \(depth) \(rows)")
        }
      }
    }
  }

  /// A row-major A read in place by `GemmDriver.rowsKernel` (`GemmA.rows`), the same A packed while running,
  /// and its transpose packed give bit-identical products: all sum every element over the reduction in order.
  /// 37 rows leave a tile of one valid row, 300 steps make two K blocks.
  @Test func gemmDriverReadsRowsInPlaceExactlyAsItPacksThem() {
    let (m, n, k) = (37, 53, 300)
    var random = SeededGenerator(seed: 5)
    let a = random.floats(m * k)
    let transposed = (0..<k * m).map { a[($0 % m) * k + $0 / m] }
    let b = random.floats(k * n)
    func product(_ source: [Float], inPlace: Bool = false, rowStride: Int, depthStride: Int) -> [Float] {
      var c = [Float](repeating: 0, count: m * n)
      var scratch = [Float](repeating: 0, count: GemmDriver.scratchFloats(packsA: true))
      source.withUnsafeBufferPointer { aPointer in
        b.withUnsafeBufferPointer { bPointer in
          c.withUnsafeMutableBufferPointer { cPointer in
            scratch.withUnsafeMutableBufferPointer { scratchPointer in
              GemmDriver.run(
                k: k,
                a: inPlace
                  ? .rows(aPointer.baseAddress!, rowStride: rowStride)
                  : .strided(aPointer.baseAddress!, rowStride: rowStride, depthStride: depthStride),
                b: StridedPanels(base: bPointer.baseAddress!, depthStride: n, columnStride: 1),
                c: cPointer.baseAddress!, cRowStride: n, epilogue: MatrixEpilogue(), rows: 0..<m, columns: 0..<n,
                scratch: scratchPointer.baseAddress!)
            }
          }
        }
      }
      return c
    }
    a.withUnsafeBufferPointer { pointer in
      #expect(GemmA.rows(pointer.baseAddress!, rowStride: k).isReadInPlace)
      #expect(!GemmA.strided(pointer.baseAddress!, rowStride: k, depthStride: 1).isReadInPlace)
      #expect(!GemmA.packed(pointer.baseAddress!).isReadInPlace)
    }
    let inPlace = product(a, inPlace: true, rowStride: k, depthStride: 1)
    #expect(inPlace == product(a, rowStride: k, depthStride: 1))
    #expect(inPlace == product(transposed, rowStride: 1, depthStride: m))
    let naive = NaiveMatMul.compute(a: a, aShape: [m, k], b: b, bShape: [k, n], outputShape: [m, n])
    #expect(zip(inPlace, naive).allSatisfy { abs(Double($0) - $1) <= 1e-4 * (1 + abs($1)) })
  }

  /// Several row blocks of an odd number of row panels, several K blocks, and a last column tile of at most
  /// one 16-wide panel: on AVX-512 builds that tile runs twelve rows at a time (`runTallTail`), and the
  /// product must still equal the naive one and the packed path's bits. A found case: `random-graphs.py`
  /// seed 9206, an attention's softmax (2 × 1020 × 1020) times its values (1020 × 34), was off by up to 10
  /// because each block's last tall tile also summed the next block's first six rows.
  /// Here 540 rows of 400 steps: two K blocks of 200, two row blocks of 45 panels.
  @Test(arguments: [34, 80])
  func gemmDriverTallTailsStayInsideTheirRowBlock(columns n: Int) {
    let (m, k) = (540, 400)
    #expect(GemmDriver.depthPerBlock(k: k) < k)
    #expect(GemmDriver.rowsPerBlock(rows: m, depth: GemmDriver.depthPerBlock(k: k), tile: 6) == 270)
    var random = SeededGenerator(seed: 17)
    let a = random.floats(m * k)
    let b = random.floats(k * n)
    func product(inPlace: Bool) -> [Float] {
      var c = [Float](repeating: 0, count: m * n)
      var scratch = [Float](repeating: 0, count: GemmDriver.scratchFloats(packsA: true))
      a.withUnsafeBufferPointer { aPointer in
        b.withUnsafeBufferPointer { bPointer in
          c.withUnsafeMutableBufferPointer { cPointer in
            scratch.withUnsafeMutableBufferPointer { scratchPointer in
              GemmDriver.run(
                k: k,
                a: inPlace
                  ? .rows(aPointer.baseAddress!, rowStride: k)
                  : .strided(aPointer.baseAddress!, rowStride: k, depthStride: 1),
                b: StridedPanels(base: bPointer.baseAddress!, depthStride: n, columnStride: 1),
                c: cPointer.baseAddress!, cRowStride: n, epilogue: MatrixEpilogue(), rows: 0..<m, columns: 0..<n,
                scratch: scratchPointer.baseAddress!)
            }
          }
        }
      }
      return c
    }
    let inPlace = product(inPlace: true)
    let differing = zip(inPlace, product(inPlace: false)).filter { $0.bitPattern != $1.bitPattern }.count
    #expect(differing == 0, "\(n) columns: \(differing) elements differ from the packed path's")
    let naive = NaiveMatMul.compute(a: a, aShape: [m, k], b: b, bShape: [k, n], outputShape: [m, n])
    let worst = zip(inPlace, naive).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
    #expect(worst <= 1e-4, "\(n) columns: worst relative error \(worst)")
  }

  /// A GEMM of one column tile with A read in place runs its whole row block in one call of a strip kernel at
  /// any reduction length (`TileBlock.runByRowPanels`): the narrow strip (twelve rows against at most 16
  /// columns, or six against 17 to 24) and the 6 × 32 one. Rows 301 (a short last panel of one row), K blocks
  /// of 32, 96 and 200 steps: bit-identical to the packed path and to the same rows cut in two at row 120,
  /// and close to the naive product.
  @Test(arguments: [16, 17, 24, 32])
  func gemmDriverStripsOfOneColumnTileMatchThePackedPath(columns n: Int) {
    let m = 301
    for k in [32, 96, 200] {
      var random = SeededGenerator(seed: 23)
      let a = random.floats(m * k)
      let b = random.floats(k * n)
      func product(inPlace: Bool, pieces: [Range<Int>]) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        var scratch = [Float](repeating: 0, count: GemmDriver.scratchFloats(packsA: true))
        a.withUnsafeBufferPointer { aPointer in
          b.withUnsafeBufferPointer { bPointer in
            c.withUnsafeMutableBufferPointer { cPointer in
              scratch.withUnsafeMutableBufferPointer { scratchPointer in
                for rows in pieces {
                  GemmDriver.run(
                    k: k,
                    a: inPlace
                      ? .rows(aPointer.baseAddress!, rowStride: k)
                      : .strided(aPointer.baseAddress!, rowStride: k, depthStride: 1),
                    b: StridedPanels(base: bPointer.baseAddress!, depthStride: n, columnStride: 1),
                    c: cPointer.baseAddress!, cRowStride: n, epilogue: MatrixEpilogue(), rows: rows, columns: 0..<n,
                    scratch: scratchPointer.baseAddress!)
                }
              }
            }
          }
        }
        return c
      }
      let whole = product(inPlace: true, pieces: [0..<m])
      for (name, other) in [
        ("packed", product(inPlace: false, pieces: [0..<m])), ("cut", product(inPlace: true, pieces: [0..<120, 120..<m])),
      ] {
        let differing = zip(whole, other).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(n) columns, K \(k): \(differing) elements differ from the \(name) product's")
      }
      let naive = NaiveMatMul.compute(a: a, aShape: [m, k], b: b, bShape: [k, n], outputShape: [m, n])
      let worst = zip(whole, naive).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
      #expect(worst <= 1e-4, "\(n) columns, K \(k): worst relative error \(worst)")
    }
  }

  /// A few rows of A read in place against prepacked B stream B one panel at a time with prefetch hints
  /// (`GemmDriver.isStreaming`): bit-identical to the same rows packed, on two K blocks, a partial last panel,
  /// a split of the columns, and an epilogue with bias and ReLU.
  @Test func gemmDriverStreamingFewRowsMatchesThePackedPath() throws {
    for m in [1, 4, 6] {
      let (n, k) = (53, 800)
      var random = SeededGenerator(seed: 13)
      let a = random.floats(m * k)
      let b = random.floats(k * n)
      let bias = random.floats(n)
      let packed = try b.withUnsafeBufferPointer { pointer throws(RuntimeError) in
        try PackedPanels(pointer.baseAddress!, rowStride: 1, depthStride: n, rows: n, depth: k, width: GemmDriver.kernel.nr)
      }
      func product(inPlace: Bool, columns: [Range<Int>]) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        var scratch = [Float](repeating: 0, count: GemmDriver.scratchFloats(packsA: true))
        a.withUnsafeBufferPointer { aPointer in
          bias.withUnsafeBufferPointer { biasPointer in
            c.withUnsafeMutableBufferPointer { cPointer in
              scratch.withUnsafeMutableBufferPointer { scratchPointer in
                var epilogue = MatrixEpilogue(activation: .relu)
                epilogue.bias = biasPointer.baseAddress!
                epilogue.biasColumnStride = 1
                let operand: GemmA =
                  inPlace
                  ? .rows(aPointer.baseAddress!, rowStride: k)
                  : .strided(aPointer.baseAddress!, rowStride: k, depthStride: 1)
                for range in columns {
                  GemmDriver.run(
                    k: k, a: operand, b: PrepackedPanels(packed: packed), c: cPointer.baseAddress!, cRowStride: n,
                    epilogue: epilogue, rows: 0..<m, columns: range, scratch: scratchPointer.baseAddress!)
                }
              }
            }
          }
        }
        return c
      }
      a.withUnsafeBufferPointer { pointer in
        #expect(GemmDriver.isStreaming(a: .rows(pointer.baseAddress!, rowStride: k), b: PrepackedPanels(packed: packed), rows: 0..<m))
      }
      let reference = product(inPlace: false, columns: [0..<n])
      #expect(product(inPlace: true, columns: [0..<n]).map(\.bitPattern) == reference.map(\.bitPattern), "\(m) rows")
      #expect(product(inPlace: true, columns: [0..<32, 32..<n]).map(\.bitPattern) == reference.map(\.bitPattern))
    }
  }

  /// Either order computes a reduction of up to `ResidentWeightsGemm.longDepth` steps bit for bit alike (one
  /// K block each, one chain per element, then bias, residual and activation), so choosing between them by
  /// the machine's cache size (`ResidentWeightsGemm.applies`) never changes a result. 288 columns of 256
  /// steps are two column blocks in `GemmDriver`, the first with a next B block to hint, which its strips
  /// (`GemmDriver.stripDepth`) give up.
  @Test func residentWeightsAndGemmDriverAgreeOnShortReductions() throws {
    for (m, n, k) in [(50, 48, 128), (23, 40, ResidentWeightsGemm.longDepth), (6 * 7, 16, 65), (13, 288, 256)] {
      var random = SeededGenerator(seed: UInt64(k))
      let (a, b, bias, residual) = (random.floats(m * k), random.floats(k * n), random.floats(n), random.floats(m * n))
      let packed = try b.withUnsafeBufferPointer { pointer throws(RuntimeError) in
        try PackedPanels(
          pointer.baseAddress!, rowStride: 1, depthStride: n, rows: n, depth: k, width: GemmDriver.kernel.nr)
      }
      func product(resident: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        var scratch = [Float](repeating: 0, count: GemmDriver.scratchFloats(packsA: false))
        a.withUnsafeBufferPointer { aPointer in
          bias.withUnsafeBufferPointer { biasPointer in
            residual.withUnsafeBufferPointer { residualPointer in
              c.withUnsafeMutableBufferPointer { cPointer in
                scratch.withUnsafeMutableBufferPointer { scratchPointer in
                  var epilogue = MatrixEpilogue(activation: .relu)
                  epilogue.bias = biasPointer.baseAddress!
                  epilogue.biasColumnStride = 1
                  epilogue.residual = residualPointer.baseAddress!
                  epilogue.residualRowStride = n
                  let weights = PrepackedPanels(packed: packed)
                  if resident {
                    ResidentWeightsGemm.run(
                      k: k, a: aPointer.baseAddress!, aRowStride: k, b: weights, c: cPointer.baseAddress!,
                      cRowStride: n, epilogue: epilogue, rows: 0..<m, columns: 0..<n)
                  } else {
                    GemmDriver.run(
                      k: k, a: .rows(aPointer.baseAddress!, rowStride: k), b: weights, c: cPointer.baseAddress!,
                      cRowStride: n, epilogue: epilogue, rows: 0..<m, columns: 0..<n,
                      scratch: scratchPointer.baseAddress!)
                  }
                }
              }
            }
          }
        }
        return c
      }
      let driver = product(resident: false)
      #expect(product(resident: true).map(\.bitPattern) == driver.map(\.bitPattern), "\(m)x\(n), K \(k)")
      let naive = NaiveMatMul.compute(a: a, aShape: [m, k], b: b, bShape: [k, n], outputShape: [m, n])
      let expected = (0..<(m * n)).map { max(0, naive[$0] + Double(bias[$0 % n]) + Double(residual[$0])) }
      let worst = zip(driver, expected).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
      #expect(worst <= 1e-4, "\(m)x\(n), K \(k): worst relative error \(worst)")
    }
  }

  /// `ResidentWeightsGemm` serves only long reductions over more than one tile of rows and a full tile of
  /// columns; its K blocks depend on K alone.
  @Test func residentWeightsOnlyForLongReductions() {
    let wide = GemmDriver.tileRowsKernel.nr
    #expect(ResidentWeightsGemm.applies(k: GemmDriver.shortDepth + 1, m: 7, n: wide))
    #expect(!ResidentWeightsGemm.applies(k: GemmDriver.shortDepth, m: 3136, n: 256))
    #expect(!ResidentWeightsGemm.applies(k: 256, m: GemmDriver.kernel.mr, n: 256))
    #expect(!ResidentWeightsGemm.applies(k: 256, m: 3136, n: wide - 1))
    // A reduction of at most `longDepth` steps into a C larger than the second-level cache keeps
    // `GemmDriver`'s order; a longer one, or a C that fits, does not.
    let short = ResidentWeightsGemm.longDepth
    let rowsBeyondCache = MachineTuning.secondLevelCacheBytes / (4 * 256) + 1
    #expect(ResidentWeightsGemm.outgrowsSecondLevelCache(m: rowsBeyondCache, n: 256))
    #expect(!ResidentWeightsGemm.outgrowsSecondLevelCache(m: rowsBeyondCache - 1, n: 256))
    #expect(!ResidentWeightsGemm.applies(k: short, m: rowsBeyondCache, n: 256))
    #expect(ResidentWeightsGemm.applies(k: short, m: rowsBeyondCache - 1, n: 256))
    #expect(ResidentWeightsGemm.applies(k: short + 1, m: rowsBeyondCache, n: 256))
    #expect(!ResidentWeightsGemm.applies(k: short, m: Int.max / 2, n: 256), "an overflowing size outgrows the cache")
    let most = ResidentWeightsGemm.maximumDepth
    #expect(ResidentWeightsGemm.depthPerBlock(k: most) == most)
    #expect(ResidentWeightsGemm.depthPerBlock(k: most + 1) == most / 2 + 1)
    #expect(ResidentWeightsGemm.depthPerBlock(k: 4 * most) == most)
    #expect(ResidentWeightsGemm.depthPerBlock(k: 2 * most + most / 2) == (5 * most / 2 + 2) / 3)
  }

  /// When a MatMul's batch axes are more rows of one GEMM (B shared, A, Y and the bias nested row after row)
  /// and when they are not.
  @Test func batchAxesFoldIntoRowsOnlyWhereTheyNest() {
    let k = 768
    // [197, 1, 768] read through a transpose of [1, 197, 768] (torch.export's MultiheadAttention input): one
    // row per batch entry, 768 floats apart; the output and a column bias broadcast along the rows.
    #expect(
      MatMulOperator.rowStridesFoldingBatch(
        [197], m: 1, b: [0], rowStrides: [197 * k, 2304, 0], batchStrides: [[k], [2304], [0]]) == [k, 2304, 0])
    // Contiguous [2, 3, 4, k] A and [2, 3, 4, n] Y.
    #expect(
      MatMulOperator.rowStridesFoldingBatch([2, 3], m: 4, b: [0, 0], rowStrides: [k, 5], batchStrides: [[12 * k, 4 * k], [60, 20]])
        == [k, 5])
    // B differs per batch entry.
    #expect(MatMulOperator.rowStridesFoldingBatch([3], m: 4, b: [k * 5], rowStrides: [k, 5], batchStrides: [[4 * k], [20]]) == nil)
    // A's batch axes swapped (a transpose that does not nest).
    #expect(
      MatMulOperator.rowStridesFoldingBatch([2, 3], m: 4, b: [0, 0], rowStrides: [k, 5], batchStrides: [[4 * k, 8 * k], [60, 20]])
        == nil)
    // A bias that changes per batch entry but not per row.
    #expect(
      MatMulOperator.rowStridesFoldingBatch([3], m: 4, b: [0], rowStrides: [k, 5, 0], batchStrides: [[4 * k], [20], [5]]) == nil)
    #expect(MatMulOperator.rowStridesFoldingBatch([], m: 4, b: [], rowStrides: [k], batchStrides: [[]]) == nil)
  }

  @Test func partitionOversplitsForBalanceButKeepsPiecesWorthTheirCost() {
    // One 1x1 convolution on a 56x56 plane, two workers: four column pieces each.
    #expect(GemmPartition.piecesPerProblem(problems: 1, workers: 2, tiles: 196, piecesPerWorker: 4) == 8)
    // Enough whole problems (a grouped convolution): no cuts at all, and one worker never cuts.
    #expect(GemmPartition.piecesPerProblem(problems: 32, workers: 2, tiles: 196, piecesPerWorker: 4) == 1)
    #expect(GemmPartition.piecesPerProblem(problems: 1, workers: 1, tiles: 196, piecesPerWorker: 4) == 1)
    // Few tiles: pieces stay at least `minimumTilesPerPiece` tiles long, but every worker still gets one.
    #expect(GemmPartition.piecesPerProblem(problems: 1, workers: 2, tiles: 2, piecesPerWorker: 4) == 2)
    // ... and as many for each worker: three (or five) pieces of four tiles would leave one worker idle
    // through the last, so 12 tiles make two pieces and 20 (MobileNetV2's 960→320 at 7x7) four.
    #expect(GemmPartition.piecesPerProblem(problems: 1, workers: 2, tiles: 12, piecesPerWorker: 4) == 2)
    #expect(GemmPartition.piecesPerProblem(problems: 1, workers: 2, tiles: 20, piecesPerWorker: 4) == 4)
    #expect(GemmPartition.piecesPerProblem(problems: 1, workers: 3, tiles: 20, piecesPerWorker: 4) == 3)
    // Three attention heads on two workers: four pieces each (twelve tasks) rather than three (nine).
    #expect(GemmPartition.piecesPerProblem(problems: 3, workers: 2, tiles: 33, piecesPerWorker: 4) == 4)
    // Rounding up stops at the tiles' limit and never needs more than workers − 1 extra pieces.
    #expect(GemmPartition.evenlyShared(5, problems: 1, workers: 2, fewest: 2, most: 5) == 4)
    #expect(GemmPartition.evenlyShared(5, problems: 1, workers: 2, fewest: 2, most: 9) == 6)
    #expect(GemmPartition.evenlyShared(3, problems: 1, workers: 4, fewest: 1, most: 3) == 3)
    // A 7x7 layer with 2048 output channels is cut along rows, two pieces per worker.
    let tasks = GemmPartition.tasks(problems: 1, m: 2048, n: 49, workers: 2)
    #expect(tasks.count == 4 && tasks.allSatisfy { $0.columns == 0..<49 && $0.rows.lowerBound % 6 == 0 })
    #expect(tasks.map(\.rows.count).reduce(0, +) == 2048)
  }
}

/// numpy `matmul` by definition, in double precision.
enum NaiveMatMul {
  static func compute(a: [Float], aShape: [Int], b: [Float], bShape: [Int], outputShape: [Int]) -> [Double] {
    let aMatrix = aShape.count == 1 ? [1, aShape[0]] : Array(aShape.suffix(2))
    let bMatrix = bShape.count == 1 ? [bShape[0], 1] : Array(bShape.suffix(2))
    let (m, k, n) = (aMatrix[0], aMatrix[1], bMatrix[1])
    let aBatch = Array(aShape.dropLast(2))
    let bBatch = Array(bShape.dropLast(2))
    let rank = max(aBatch.count, bBatch.count)
    let batch = (0..<rank).map { axis -> Int in
      let left = axis - (rank - aBatch.count) >= 0 ? aBatch[axis - (rank - aBatch.count)] : 1
      let right = axis - (rank - bBatch.count) >= 0 ? bBatch[axis - (rank - bBatch.count)] : 1
      return max(left, right)
    }
    var result: [Double] = []
    for flat in 0..<batch.reduce(1, *) {
      let aMatrixIndex = broadcastIndex(flat, from: batch, to: aBatch)
      let bMatrixIndex = broadcastIndex(flat, from: batch, to: bBatch)
      for i in 0..<m {
        for j in 0..<n {
          var sum = 0.0
          for p in 0..<k {
            sum += Double(a[aMatrixIndex * m * k + i * k + p]) * Double(b[bMatrixIndex * k * n + p * n + j])
          }
          result.append(sum)
        }
      }
    }
    return result
  }

  /// The element of a tensor of shape `to` that numpy broadcasting reads for element `flat` of `from`.
  static func broadcastIndex(_ flat: Int, from: [Int], to: [Int]) -> Int {
    var remainder = flat
    var index = 0
    var step = 1
    for axis in stride(from: from.count - 1, through: 0, by: -1) {
      let position = remainder % from[axis]
      remainder /= from[axis]
      let targetAxis = axis - (from.count - to.count)
      if targetAxis >= 0 {
        if to[targetAxis] != 1 { index += position * step }
        step *= to[targetAxis]
      }
    }
    return index
  }
}
