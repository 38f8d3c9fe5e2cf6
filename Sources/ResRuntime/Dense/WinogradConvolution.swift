import ResKernels

/// A 2-D 3×3 convolution with unit strides and dilations and constant weights, computed by Winograd's
/// minimal filtering (`WinogradVariant`): per block of output tiles, the input tiles are transformed
/// (`Bᵀ d B`), each of the `n²` frequencies is one GEMM `M × tiles × C` on the registry's GEMM microkernel
/// against the transformed weights (`WinogradWeights`: the plan's, or transformed at load), and the products are transformed back
/// (`Aᵀ p A`) with the fused epilogue applied as Y is written. `F(4×4, 3×3)` does a quarter of the direct
/// method's multiplications, `F(2×2, 3×3)` 1/2.25.
///
/// Tiles are numbered row-major over the output; 16 consecutive tiles are one vector (one per lane) in the
/// transforms and one column panel of the GEMMs. The transformed input of a block of tiles and its products
/// are sized to stay in the second-level cache between the three phases (`Blocking`).
struct WinogradConvolution: Sendable, WinogradProblems {
  static let kernel = MicrokernelRegistry.gemm
  /// Tiles per vector in the transforms: one GEMM column panel.
  static let lanes = 16
  /// A shared input transform splits the channels anywhere: each is its own row of the transformed input.
  static let transformChannelGranule = 1
  let variant: WinogradVariant
  let axes: WindowAxes
  let groups: Int
  let channelsPerGroup: Int
  let outputChannelsPerGroup: Int
  let weights: WinogradWeights
  let tilesHigh: Int
  let tilesWide: Int
  /// Tiles per block: a multiple of `lanes`.
  let tileBlock: Int

  /// The cache blocking of the tiles.
  struct Blocking: Sendable {
    /// A block of tiles is as many whole vectors of tiles as fit their transformed input and their
    /// products (`n² · (C + M)` floats per tile) in this many bytes; at least one vector.
    var blockBytes: Int

    static let standard = Blocking(blockBytes: 256 * 1024)
  }

  /// The convolution over `axes` with `weights`, whose layout gives the variant, the groups and the channels:
  /// a stride-1 variant (the stride-2 transform is `ChannelsLastWinograd`'s alone).
  init(weights: WinogradWeights, axes: WindowAxes, blocking: Blocking = .standard) throws(RuntimeError) {
    let variant = weights.variant
    guard WinogradVariant.unitStride.contains(variant) else {
      throw .invalidPlan("the NCHW Winograd method does not compute \(variant.label)")
    }
    self.variant = variant
    self.axes = axes
    groups = weights.groups
    channelsPerGroup = weights.channelsPerGroup
    outputChannelsPerGroup = weights.outputChannelsPerGroup
    self.weights = weights
    let m = variant.outputTile
    tilesHigh = (axes.output[1] + m - 1) / m
    tilesWide = (axes.output[2] + m - 1) / m
    let lanes = Self.lanes
    let tileBytes = RunContext.work(variant.inputTile * variant.inputTile, channelsPerGroup + outputChannelsPerGroup, 4)
    let vectors = max(1, blocking.blockBytes / tileBytes / lanes)
    let allVectors = (tilesHigh * tilesWide + lanes - 1) / lanes
    tileBlock = min(vectors, allVectors) * lanes
  }

  var tiles: Int { tilesHigh * tilesWide }
  /// Blocks of tiles per image and group.
  var blocks: Int { (tiles + tileBlock - 1) / tileBlock }

  /// Floats of one frequency of a block's transformed input (`C × tileBlock`) and of its products
  /// (`M × tileBlock`).
  private var inputStride: Int { channelsPerGroup * tileBlock }
  private var productStride: Int { outputChannelsPerGroup * tileBlock }

  /// Floats of one problem's transformed input.
  var transformedFloats: Int { variant.inputTile * variant.inputTile * inputStride }

  /// Scratch bytes per worker: one block's transformed input and products.
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    let n = variant.inputTile
    return try CheckedMath.product(
      [n * n, channelsPerGroup + outputChannelsPerGroup, tileBlock, 4], "\(site): Winograd scratch bytes")
  }

  /// Shared scratch bytes for `batch` images: every problem's transformed input when there are few problems
  /// (`WinogradProblems`), else none.
  func sharedScratchBytes(batch: Int, site: StepSite) throws(RuntimeError) -> Int {
    let problems = try CheckedMath.product([batch, groups, blocks], "\(site): Winograd problems")
    return try sharedScratchBytes(problems: problems, site: site)
  }

  typealias Operands = WinogradOperands

  /// Convolves every image: tasks are (image, group, block of tiles), each split along output channels
  /// (whole row panels of the GEMM) when there are fewer tasks than workers.
  func run(_ context: RunContext, _ operands: Operands, workers: Int) {
    let mr = Self.kernel.mr
    let problems = operands.batch * groups * blocks
    let rowPanels = (outputChannelsPerGroup + mr - 1) / mr
    let rowParts = workers <= problems ? 1 : min((workers + problems - 1) / problems, rowPanels)
    let rowRanges = RunContext.ranges(of: outputChannelsPerGroup, parts: rowParts, granule: mr)
    run(context, operands, problems: problems, outputRanges: rowRanges, workers: workers)
  }

  /// The input transform of `channels` of one problem (image, group, block of tiles, numbered in that
  /// order).
  func transformInput(
    problem: Int, _ operands: Operands, channels: Range<Int>, into transformed: UnsafeMutablePointer<Float>
  ) {
    let firstTile = problem % blocks * tileBlock
    let imageGroup = problem / blocks
    transformInput(
      operands.input + imageGroup * channelsPerGroup * axes.inputPlane, firstTile: firstTile,
      count: min(tileBlock, tiles - firstTile), channels: channels, into: transformed)
  }

  /// One problem's products for output channels `outputChannels` of its group, from its transformed input,
  /// transformed back into Y with the epilogue; the products go to `scratch` past one transformed input.
  func multiplyAndFinish(
    problem: Int, transformed: UnsafeMutablePointer<Float>, outputChannels: Range<Int>, _ operands: Operands,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let firstTile = problem % blocks * tileBlock
    let imageGroup = problem / blocks
    let group = imageGroup % groups
    let count = min(tileBlock, tiles - firstTile)
    let products = scratch + transformedFloats
    multiply(group: group, transformed, count: count, outputChannels: outputChannels, into: products)
    let firstOutput = imageGroup * outputChannelsPerGroup
    let image = ImageEpilogue(
      output: operands.output + firstOutput * axes.outputPlane,
      bias: operands.bias.map { $0 + group * outputChannelsPerGroup },
      residual: operands.residual.map { $0 + firstOutput * axes.outputPlane }, activation: operands.activation)
    transformOutput(products, firstTile: firstTile, count: count, outputChannels: outputChannels, image)
  }

  // MARK: - Input transform

  /// Transforms the input tiles `firstTile..<firstTile+count` of `channels` of one group (`source` at its
  /// first channel) into `transformed`: frequency `ξ`, vector of tiles `v`, channel `c` at
  /// `ξ·inputStride + v·C·16 + c·16`, the layout of the GEMM's B panels.
  private func transformInput(
    _ source: UnsafePointer<Float>, firstTile: Int, count: Int, channels: Range<Int>,
    into transformed: UnsafeMutablePointer<Float>
  ) {
    let n = variant.inputTile
    let lanes = Self.lanes
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * n * n * lanes) { buffer in
      let patch = buffer.baseAddress!
      let half = patch + n * n * lanes
      withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * lanes) { origins in
        let rows = origins.baseAddress!
        let columns = rows + lanes
        var vector = 0
        while vector * lanes < count {
          let laneCount = min(lanes, count - vector * lanes)
          if laneCount < lanes { patch.update(repeating: 0, count: n * n * lanes) }
          for lane in 0..<laneCount {
            let tile = firstTile + vector * lanes + lane
            rows[lane] = tile / tilesWide * variant.outputTile - axes.padsBegin[1]
            columns[lane] = tile % tilesWide * variant.outputTile - axes.padsBegin[2]
          }
          for channel in channels {
            gatherPatches(source + channel * axes.inputPlane, rows: rows, columns: columns, lanes: laneCount, into: patch)
            for row in 0..<n {
              variant.transformInput(patch + row * n * lanes, stride: lanes, into: half + row * n * lanes, destinationStride: lanes)
            }
            let destination = transformed + vector * channelsPerGroup * lanes + channel * lanes
            for column in 0..<n {
              variant.transformInput(
                half + column * lanes, stride: n * lanes, into: destination + column * inputStride,
                destinationStride: n * inputStride)
            }
          }
          vector += 1
        }
      }
    }
  }

  /// Copies the `n × n` input tile with origin (`rows[l]`, `columns[l]`) (in unpadded input coordinates) of
  /// each lane `l` into `patch[(r·n + c)·16 + l]`, zeros where the tile reaches into the padding. The tile
  /// size is a literal in each branch so that the copies of whole tiles unroll: loops over a tile size read
  /// from memory cost more than the copies.
  private func gatherPatches(
    _ plane: UnsafePointer<Float>, rows: UnsafePointer<Int>, columns: UnsafePointer<Int>, lanes: Int,
    into patch: UnsafeMutablePointer<Float>
  ) {
    switch variant {
    case .f2x2: gatherPatches(plane, rows: rows, columns: columns, lanes: lanes, into: patch, n: 4)
    case .f4x4: gatherPatches(plane, rows: rows, columns: columns, lanes: lanes, into: patch, n: 6)
    case .f4x4Stride2, .f2x2Stride2: preconditionFailure("refused by init")
    }
  }

  @inline(__always)
  private func gatherPatches(
    _ plane: UnsafePointer<Float>, rows: UnsafePointer<Int>, columns: UnsafePointer<Int>, lanes: Int,
    into patch: UnsafeMutablePointer<Float>, n: Int
  ) {
    let (height, width) = (axes.input[1], axes.input[2])
    let stride = Self.lanes
    for lane in 0..<lanes {
      let (top, left) = (rows[lane], columns[lane])
      let cell = patch + lane
      if top >= 0, left >= 0, top + n <= height, left + n <= width {
        for r in 0..<n {
          let row = plane + ((top &+ r) &* width &+ left)
          for c in 0..<n { cell[(r &* n &+ c) &* stride] = row[c] }
        }
        continue
      }
      // An edge tile: the columns inside the input, copied row by row; everything else zero.
      let first = min(n, max(0, -left))
      let last = max(first, min(n, width - left))
      for r in 0..<n {
        let h = top + r
        let inside = h >= 0 && h < height
        let row = plane + (inside ? h * width + left : 0)
        for c in 0..<n {
          cell[(r &* n &+ c) &* stride] = inside && c >= first && c < last ? row[c] : 0
        }
      }
    }
  }

  // MARK: - Products

  /// The `n²` GEMMs of one block: `products[ξ] (M × tileBlock, rows outputChannels) = U[ξ] · transformed[ξ]`,
  /// row `o` of frequency `ξ` at `ξ·productStride + o·tileBlock`.
  private func multiply(
    group: Int, _ transformed: UnsafeMutablePointer<Float>, count: Int, outputChannels: Range<Int>,
    into products: UnsafeMutablePointer<Float>
  ) {
    let n = variant.inputTile
    let mr = Self.kernel.mr
    let lanes = Self.lanes
    let vectors = (count + lanes - 1) / lanes
    let depth = channelsPerGroup
    for frequency in 0..<(n * n) {
      let a = weights.frequency(frequency, group: group)
      let b = transformed + frequency * inputStride
      let c = products + frequency * productStride
      var row = outputChannels.lowerBound
      while row < outputChannels.upperBound {
        let panel = a + row / mr * depth * mr
        let rows = min(mr, outputChannels.upperBound - row)
        for vector in 0..<vectors {
          Self.kernel.run(
            GemmTile(
              depth: depth, a: panel, b: b + vector * depth * lanes, c: c + row * tileBlock + vector * lanes,
              cRowStride: tileBlock, rows: rows, columns: lanes, accumulate: false, epilogue: nil))
        }
        row += mr
      }
    }
  }

  // MARK: - Output transform

  /// One image and group's output and epilogue operands, at the group's first output channel.
  private struct ImageEpilogue {
    var output: UnsafeMutablePointer<Float>
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
  }

  /// Transforms the products of tiles `firstTile..<firstTile+count` back (`Aᵀ p A`), applies bias, residual
  /// and activation, and writes the valid part of each `m × m` tile to Y.
  private func transformOutput(
    _ products: UnsafeMutablePointer<Float>, firstTile: Int, count: Int, outputChannels: Range<Int>,
    _ image: ImageEpilogue
  ) {
    let (n, m) = (variant.inputTile, variant.outputTile)
    let lanes = Self.lanes
    withUnsafeTemporaryAllocation(of: Float.self, capacity: (n * m + 2 * m * m) * lanes) { buffer in
      let half = buffer.baseAddress!
      let result = half + n * m * lanes
      let residual = result + m * m * lanes
      // Cells of edge tiles and lanes past the last tile are never gathered: keep them finite.
      residual.initialize(repeating: 0, count: m * m * lanes)
      withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * lanes) { layout in
        let origins = layout.baseAddress!
        let heights = origins + lanes
        let widths = heights + lanes
        var vector = 0
        while vector * lanes < count {
          let laneCount = min(lanes, count - vector * lanes)
          for lane in 0..<laneCount {
            let tile = firstTile + vector * lanes + lane
            let (top, left) = (tile / tilesWide * m, tile % tilesWide * m)
            origins[lane] = top * axes.output[2] + left
            heights[lane] = min(m, axes.output[1] - top)
            widths[lane] = min(m, axes.output[2] - left)
          }
          let placement = TilePlacement(origins: origins, heights: heights, widths: widths, lanes: laneCount)
          for channel in outputChannels {
            let source = products + channel * tileBlock + vector * lanes
            for column in 0..<n {
              variant.transformOutput(
                source + column * productStride, stride: n * productStride, into: half + column * lanes,
                destinationStride: n * lanes)
            }
            for row in 0..<m {
              variant.transformOutput(half + row * n * lanes, stride: lanes, into: result + row * m * lanes, destinationStride: lanes)
            }
            finish(result, channel: channel, placement, image, residualBuffer: residual)
          }
          vector += 1
        }
      }
    }
  }

  /// Where each lane's tile lies in an output plane: its first element, and its valid rows and columns
  /// (fewer than `m` at the bottom and right edges).
  private struct TilePlacement {
    var origins: UnsafePointer<Int>
    var heights: UnsafePointer<Int>
    var widths: UnsafePointer<Int>
    var lanes: Int
  }

  /// Applies the epilogue to one output channel's tiles (`result[(r·m + c)·16 + lane]`) and writes them.
  @inline(__always)
  private func finish(
    _ result: UnsafeMutablePointer<Float>, channel: Int, _ placement: TilePlacement, _ image: ImageEpilogue,
    residualBuffer: UnsafeMutablePointer<Float>
  ) {
    let m = variant.outputTile
    let lanes = Self.lanes
    let plane = axes.outputPlane
    let vectors = m * m
    if let bias = image.bias {
      let value = SIMD16<Float>(repeating: bias[channel])
      for index in 0..<vectors { VectorAccess.store(VectorAccess.load(result + index * lanes) + value, result + index * lanes) }
    }
    if let residual = image.residual {
      readTiles(residual + channel * plane, placement, into: residualBuffer)
      for index in 0..<vectors {
        let sum = VectorAccess.load(result + index * lanes) + VectorAccess.load(residualBuffer + index * lanes)
        VectorAccess.store(sum, result + index * lanes)
      }
    }
    if case .identity = image.activation {} else {
      image.activation.apply(result, result, count: vectors * lanes)
    }
    writeTiles(result, placement, to: image.output + channel * plane)
  }

  /// Reads each lane's tile of an output-shaped plane (the residual) into `buffer[(r·m + c)·16 + lane]`;
  /// cells past the plane's edge are left as they are.
  private func readTiles(_ plane: UnsafePointer<Float>, _ placement: TilePlacement, into buffer: UnsafeMutablePointer<Float>) {
    switch variant {
    case .f2x2: moveTiles(placement, m: 2) { offset, cell in buffer[cell] = plane[offset] }
    case .f4x4: moveTiles(placement, m: 4) { offset, cell in buffer[cell] = plane[offset] }
    case .f4x4Stride2, .f2x2Stride2: preconditionFailure("refused by init")
    }
  }

  /// Writes the valid cells of each lane's tile (`buffer[(r·m + c)·16 + lane]`) into an output plane.
  private func writeTiles(_ buffer: UnsafePointer<Float>, _ placement: TilePlacement, to plane: UnsafeMutablePointer<Float>) {
    switch variant {
    case .f2x2: moveTiles(placement, m: 2) { offset, cell in plane[offset] = buffer[cell] }
    case .f4x4: moveTiles(placement, m: 4) { offset, cell in plane[offset] = buffer[cell] }
    case .f4x4Stride2, .f2x2Stride2: preconditionFailure("refused by init")
    }
  }

  /// Calls `move(offset in the plane, offset in the tile buffer)` for every valid cell of every lane's tile;
  /// whole tiles in loops of the literal size `m`, so that they unroll.
  @inline(__always)
  private func moveTiles(_ placement: TilePlacement, m: Int, _ move: (Int, Int) -> Void) {
    let width = axes.output[2]
    let stride = Self.lanes
    for lane in 0..<placement.lanes {
      let origin = placement.origins[lane]
      if placement.heights[lane] == m && placement.widths[lane] == m {
        for r in 0..<m {
          for c in 0..<m { move(origin &+ r &* width &+ c, (r &* m &+ c) &* stride &+ lane) }
        }
        continue
      }
      for r in 0..<placement.heights[lane] {
        for c in 0..<placement.widths[lane] { move(origin + r * width + c, (r * m + c) * stride + lane) }
      }
    }
  }
}
