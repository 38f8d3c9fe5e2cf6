import ResKernels

/// A 2-D 3×3 convolution with unit dilations and constant weights on channels-last tensors (X, Y and the
/// residual stored `[N, H, W, C]`), by Winograd's minimal filtering (`WinogradVariant`): at unit strides, or at
/// stride 2 by the stride-2 transform, whose `m × m` output tile reads a `2m + 1` input tile starting every
/// `2m` positions. The window axes are a 2-D window's (`WindowAxes` with a leading axis of size 1): the tiles
/// cover axes 1 and 2.
///
/// The same three phases as the NCHW `WinogradConvolution`, with the channels on the vector lanes instead of
/// the tiles: one vector is 16 channels of one position, so the input transform reads an interior tile's
/// `n × n` positions straight from X (16 contiguous channels each) and the output transform writes 16
/// contiguous channels of each output position, with no gather or transpose. Per block of tiles and per
/// frequency `ξ`, the products are one GEMM `Out_ξ [tiles × M] = V_ξ [tiles × C] · U_ξ [C × M]`: A is the
/// transformed input, read in place one tile per row (`MicrokernelRegistry.gemmRowsA`'s kernel), and B the
/// transformed weights in 16-output-channel panels (`WinogradWeights` of width `lanes`). The output
/// transform applies bias, residual and activation as it writes Y.
///
/// The transformed input of a block of tiles and its products are sized to stay in the second-level cache
/// between the phases (`Blocking`); every output is computed by the same operations whatever the split over
/// workers, so results are bit-identical for any worker count.
final class ChannelsLastWinograd: Sendable, WinogradProblems {
  /// The GEMM whose tiles the products are cut into; they run on its prefetching form
  /// (`GemmMicrokernel6x16.runReadingRows(_:prefetching:)`, see `multiply`).
  static let kernel = MicrokernelRegistry.gemmRowsA
  /// Channels per vector in the transforms, and output channels per weight panel (the GEMM's `NR`).
  static let lanes = GemmMicrokernel6x16.nr
  /// A shared input transform splits the channels on whole vectors.
  static let transformChannelGranule = lanes

  let variant: WinogradVariant
  let axes: WindowAxes
  let groups: Int
  let channelsPerGroup: Int
  let outputChannelsPerGroup: Int
  let weights: WinogradWeights
  let tilesHigh: Int
  let tilesWide: Int
  /// Tiles per block: GEMM rows of every frequency.
  let tileBlock: Int
  /// Floats from one tile's row of the transformed input to the next (`C` rounded up to whole vectors, so the
  /// transform stores whole vectors), and of the products (`M` rounded up).
  let inputRowStride: Int
  let productRowStride: Int

  /// The cache blocking of the tiles.
  struct Blocking: Sendable {
    /// A block of tiles is as many tiles as fit their transformed input and products (`n² · (C + M)` floats
    /// per tile) in this many bytes, in whole GEMM row groups (`MR` tiles) ...
    var blockBytes: Int
    /// ... but at least this many: each block streams all the transformed weights through the GEMMs once,
    /// so fewer tiles would make the weights' traffic the bound. Two row groups of twelve tiles
    /// (`rowGroup`): 56×56's 196 tiles as eight blocks of 24 and one of 4 rather than ten of 18 and one of
    /// 16, ResNet-18's 56×56 layers 0.96 / 0.91 of their time on one / two threads (0.91 with the sides
    /// swapped), ResNet-50's 0.96–0.99 / 0.93–0.95, DenseNet-121 even on one thread and 0.96 on two
    /// (Sapphire Rapids, `ab_steps.py`). Blocks of 36 were even on one thread and 1.06 on two.
    var minimumTiles: Int
    /// Whether an image of at most `mergedImageBlocks` whole blocks and a remainder spreads its tiles evenly
    /// over the whole blocks instead (`tilesPerBlock`).
    var mergesRemainder = false

    static let standard = Blocking(blockBytes: 256 * 1024, minimumTiles: 24, mergesRemainder: true)
  }

  /// Whole blocks up to which an image's remainder of tiles is merged into them. A 28×28 output is 49 tiles
  /// of 4×4: blocks of 24, 24 and 1 (of 18, 18 and 13 before blocks took 24), the last streaming all the
  /// weights again for a few tiles (2.4 MB at 128 channels, from beyond the second-level cache), and three
  /// blocks over two workers each cut in halves of output channels. As two blocks of 25, one per worker
  /// (Sapphire Rapids, `ab_steps.py` paired runs against 18, 18 and 13, both ways round): on two threads
  /// ResNet-18's 28×28 Winograd layers 0.81–0.87 of their time, ResNet-50's 0.74–0.81, three 128-channel
  /// layers at 28×28 0.92; on one thread even (0.97–1.03).
  /// Spread over many blocks the tiles go to the kernels in worse row groups (56×56's 196 tiles as ten
  /// blocks of 20, 12 + 8, rather than eleven of 18, 12 + 6): 128 channels 1.13 / 1.12.
  static let mergedImageBlocks = 2

  /// Tiles per block for an image of `tiles` tiles when the cache allows `whole` per block: `whole`, or for an
  /// image of one or two whole blocks and a remainder (`Blocking.mergesRemainder`), the tiles spread evenly
  /// over the whole blocks.
  static func tilesPerBlock(tiles: Int, whole: Int, mergesRemainder: Bool) -> Int {
    let wholeBlocks = tiles / whole
    guard mergesRemainder, (1...mergedImageBlocks).contains(wholeBlocks), tiles % whole != 0 else { return whole }
    return (tiles + wholeBlocks - 1) / wholeBlocks
  }

  /// The convolution over `axes` with `weights` (16-wide panels: `WinogradFilter.layout(…, width: lanes)`),
  /// whose layout gives the variant, the groups and the channels per group.
  init(weights: WinogradWeights, axes: WindowAxes, blocking: Blocking = .standard) throws(RuntimeError) {
    guard weights.layout.width == Self.lanes else {
      throw .invalidPlan("channels-last Winograd weights in \(weights.layout) are not in \(Self.lanes)-wide panels")
    }
    let variant = weights.variant
    guard axes.kernel == [1, 3, 3], axes.strides == [1, variant.stride, variant.stride], axes.dilations == [1, 1, 1]
    else {
      throw .invalidPlan("channels-last Winograd \(variant.label) does not compute a \(axes.kernel) window at strides \(axes.strides)")
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
    inputRowStride = (channelsPerGroup + lanes - 1) / lanes * lanes
    productRowStride = (outputChannelsPerGroup + lanes - 1) / lanes * lanes
    let mr = Self.kernel.mr
    let tileBytes = RunContext.work(variant.inputTile * variant.inputTile, inputRowStride + productRowStride, 4)
    let fitting = max(blocking.minimumTiles, blocking.blockBytes / max(tileBytes, 1)) / mr * mr
    let whole = max(1, min(max(fitting, mr), tilesHigh * tilesWide))
    tileBlock = Self.tilesPerBlock(
      tiles: tilesHigh * tilesWide, whole: whole, mergesRemainder: blocking.mergesRemainder)
  }

  var tiles: Int { tilesHigh * tilesWide }
  /// Blocks of tiles per image and group.
  var blocks: Int { (tiles + tileBlock - 1) / tileBlock }

  /// Floats of one frequency of a block's transformed input and of its products. One vector more than the
  /// rows need: the `n²` frequencies of a tile are then not a power of two apart, which would put all of them
  /// in one set of the first-level cache when the transforms write or read them.
  private var inputStride: Int { tileBlock * inputRowStride + Self.lanes }
  private var productStride: Int { tileBlock * productRowStride + Self.lanes }

  /// Floats of one problem's transformed input.
  var transformedFloats: Int { variant.inputTile * variant.inputTile * inputStride }

  /// Scratch bytes per worker: one block's transformed input and products.
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    let n = variant.inputTile
    let floats = try CheckedMath.add(
      try CheckedMath.multiply(tileBlock, inputRowStride + productRowStride, "\(site): Winograd scratch bytes"),
      2 * Self.lanes, "\(site): Winograd scratch bytes")
    return try CheckedMath.product([n * n, floats, 4], "\(site): Winograd scratch bytes")
  }

  /// Shared scratch bytes for `batch` images: every problem's transformed input when there are few problems
  /// (`WinogradProblems`), else none.
  func sharedScratchBytes(batch: Int, site: StepSite) throws(RuntimeError) -> Int {
    let problems = try CheckedMath.product([batch, groups, blocks], "\(site): Winograd problems")
    return try sharedScratchBytes(problems: problems, site: site)
  }

  typealias Operands = WinogradOperands

  /// Convolves every image: tasks are (image, group, block of tiles), each split along output channels (in
  /// whole panels) when there are fewer tasks than workers (`WinogradProblems.run`), or cut into smaller
  /// blocks of tiles when the output channels cannot be split (`smallerProblems`).
  func run(_ context: RunContext, _ operands: Operands, workers: Int) {
    // Parts hold whole tiles of the product kernel (`tileColumns`): a 32-channel layer cut into two halves of
    // 16 ran each on the narrow tile and paid two synchronizations for a 40 µs step (DenseNet-121's 14x14
    // layers: 0.042 ms on one thread, 0.054 on two).
    if let tilesPerProblem = smallerProblems(batch: operands.batch, workers: workers) {
      let problems = operands.batch * groups * ((tiles + tilesPerProblem - 1) / tilesPerProblem)
      context.parallelFor(tasks: problems, workers: workers) { index, worker in
        let problem = locate(index, tilesPerProblem: tilesPerProblem)
        let scratch = context.scratchFloats(worker: worker)
        transformInput(problem: problem, operands, channels: 0..<channelsPerGroup, into: scratch)
        multiplyAndFinish(
          problem: problem, transformed: scratch, outputChannels: 0..<outputChannelsPerGroup, operands,
          scratch: scratch)
      }
      return
    }
    let width = Self.tileColumns
    let problems = operands.batch * groups * blocks
    let tilesWide = (outputChannelsPerGroup + width - 1) / width
    let parts = min(
      Self.outputParts(problems: problems, workers: workers, sharesTransform: operands.sharedTransformed != nil),
      tilesWide)
    let outputRanges = RunContext.ranges(of: outputChannelsPerGroup, parts: parts, granule: width)
    run(context, operands, problems: problems, outputRanges: outputRanges, workers: workers)
  }

  /// Into how many parts each problem's output channels are cut: enough for every worker to get one when
  /// there are fewer problems than workers; and, when the problems do not divide evenly among the workers but
  /// their input transforms can be shared (`winogradSharedProblemLimit`), enough for the tasks to: ResNet-50's
  /// 28x28 layers were three blocks of tiles, of which one of two workers took two (18 and 18 tiles against
  /// 13), and ran 1.36–1.44x faster on two threads than on one (they are two blocks now, `tilesPerBlock`).
  static func outputParts(problems: Int, workers: Int, sharesTransform: Bool) -> Int {
    guard workers > 1, problems % workers != 0 else { return 1 }
    if problems < workers { return (workers + problems - 1) / problems }
    guard sharesTransform, problems <= winogradSharedProblemLimit else { return 1 }
    var (a, b) = (problems, workers)
    while b != 0 { (a, b) = (b, a % b) }
    return workers / a
  }

  /// Where one problem (image, group, block of tiles, numbered in that order) lies.
  private struct Problem {
    var image: Int
    var group: Int
    var firstTile: Int
    var count: Int
  }

  /// Problem `problem` when each holds at most `tilesPerProblem` tiles (`tileBlock`, or fewer for
  /// `smallerProblems`).
  private func locate(_ problem: Int, tilesPerProblem: Int) -> Problem {
    let perImageGroup = (tiles + tilesPerProblem - 1) / tilesPerProblem
    let firstTile = problem % perImageGroup * tilesPerProblem
    let imageGroup = problem / perImageGroup
    return Problem(
      image: imageGroup / groups, group: imageGroup % groups, firstTile: firstTile,
      count: min(tilesPerProblem, tiles - firstTile))
  }

  private func locate(_ problem: Int) -> Problem { locate(problem, tilesPerProblem: tileBlock) }

  /// The input transform of `channels` of problem `problem` (in blocks of `tileBlock` tiles).
  func transformInput(
    problem: Int, _ operands: Operands, channels: Range<Int>, into transformed: UnsafeMutablePointer<Float>
  ) {
    transformInput(problem: locate(problem), operands, channels: channels, into: transformed)
  }

  /// Problem `problem`'s (in blocks of `tileBlock` tiles) products and output transform for `outputChannels`.
  func multiplyAndFinish(
    problem: Int, transformed: UnsafeMutablePointer<Float>, outputChannels: Range<Int>, _ operands: Operands,
    scratch: UnsafeMutablePointer<Float>
  ) {
    multiplyAndFinish(
      problem: locate(problem), transformed: transformed, outputChannels: outputChannels, operands, scratch: scratch)
  }

  /// Tiles per problem when the whole blocks leave workers idle and their output channels cannot be split
  /// among them (a layer of at most 32 output channels on one block of tiles: DenseNet-121's 14x14 and 7x7
  /// layers, 40 µs each, took as long on two threads as on one); nil otherwise. Each smaller problem
  /// transforms its own tiles' input, and every output is computed exactly as in a whole block.
  func smallerProblems(batch: Int, workers: Int) -> Int? {
    let wholeProblems = batch * groups * blocks
    let outputParts = (outputChannelsPerGroup + Self.tileColumns - 1) / Self.tileColumns
    guard workers > wholeProblems, outputParts * wholeProblems < workers, blocks == 1 else { return nil }
    let pieces = (workers + wholeProblems - 1) / wholeProblems
    let perProblem = (tiles + pieces - 1) / pieces
    guard perProblem >= Self.kernel.mr, perProblem < tiles else { return nil }
    return perProblem
  }

  /// The input transform of `channels` of one problem.
  private func transformInput(
    problem: Problem, _ operands: Operands, channels: Range<Int>, into transformed: UnsafeMutablePointer<Float>
  ) {
    let pixel = groups * channelsPerGroup
    let source =
      operands.input + problem.image * axes.inputPlane * pixel + problem.group * channelsPerGroup
    switch variant {
    case .f2x2:
      transformInput(source, problem, channels: channels, into: transformed, variant: .f2x2, n: 4)
    case .f4x4:
      transformInput(source, problem, channels: channels, into: transformed, variant: .f4x4, n: 6)
    case .f4x4Stride2:
      transformInput(source, problem, channels: channels, into: transformed, variant: .f4x4Stride2, n: 9)
    case .f2x2Stride2:
      transformInput(source, problem, channels: channels, into: transformed, variant: .f2x2Stride2, n: 5)
    }
  }

  /// One problem's products for output channels `outputChannels` of its group (a range of whole panels but
  /// for the group's last channel), from its transformed input, transformed back into Y with the epilogue;
  /// the products go to `scratch` past one transformed input.
  private func multiplyAndFinish(
    problem: Problem, transformed: UnsafeMutablePointer<Float>, outputChannels: Range<Int>, _ operands: Operands,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let products = scratch + transformedFloats
    multiply(group: problem.group, transformed, count: problem.count, outputChannels: outputChannels, into: products)
    let pixel = groups * outputChannelsPerGroup
    let first = problem.image * axes.outputPlane * pixel + problem.group * outputChannelsPerGroup
    let image = ImageEpilogue(
      output: operands.output + first, bias: operands.bias.map { $0 + problem.group * outputChannelsPerGroup },
      residual: operands.residual.map { $0 + first }, activation: operands.activation)
    switch variant {
    case .f2x2:
      transformOutput(products, problem, outputChannels: outputChannels, image, variant: .f2x2, n: 4)
    case .f4x4:
      transformOutput(products, problem, outputChannels: outputChannels, image, variant: .f4x4, n: 6)
    case .f4x4Stride2:
      transformOutput(products, problem, outputChannels: outputChannels, image, variant: .f4x4Stride2, n: 9)
    case .f2x2Stride2:
      transformOutput(products, problem, outputChannels: outputChannels, image, variant: .f2x2Stride2, n: 5)
    }
  }

  // MARK: - Input transform

  /// Transforms the input tiles of one problem, `channels` of its group (`source` at the image's first
  /// position and the group's first channel), into `transformed`: frequency `ξ`, tile `t` of the block,
  /// channel `c` at `ξ·inputStride + t·inputRowStride + c`, the rows of the GEMMs' A. An interior tile's
  /// rows are transformed straight from X; a tile reaching into the padding, or a last vector of fewer than
  /// 16 channels, is first copied into a zero-filled patch. `n` is a literal in each caller so that the
  /// loops over the tile unroll.
  @inline(__always)
  private func transformInput(
    _ source: UnsafePointer<Float>, _ problem: Problem, channels: Range<Int>,
    into transformed: UnsafeMutablePointer<Float>, variant: WinogradVariant, n: Int
  ) {
    let lanes = Self.lanes
    // Input positions from one tile to the next: the output tile, times the stride.
    let step = variant.outputTile * variant.stride
    let (height, width) = (axes.input[1], axes.input[2])
    let pixel = groups * channelsPerGroup
    let (frequencyStride, rowStride) = (inputStride, inputRowStride)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 2 * n * n) { buffer in
      let patch = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self)
      let half = patch + n * n * lanes
      for index in 0..<problem.count {
        let tile = problem.firstTile + index
        let top = tile / tilesWide * step - axes.padsBegin[1]
        let left = tile % tilesWide * step - axes.padsBegin[2]
        let inside = top >= 0 && left >= 0 && top + n <= height && left + n <= width
        let row = transformed + index * rowStride
        var channel = channels.lowerBound
        while channel < channels.upperBound {
          let count = min(lanes, channels.upperBound - channel)
          if inside && count == lanes {
            let corner = source + (top * width + left) * pixel + channel
            for r in 0..<n {
              variant.transformInput(
                corner + r * width * pixel, stride: pixel, into: half + r * n * lanes, destinationStride: lanes)
            }
          } else {
            gatherPatch(
              source + channel, top: top, left: left, channels: count, n: n, pixel: pixel, into: patch)
            for r in 0..<n {
              variant.transformInput(
                patch + r * n * lanes, stride: lanes, into: half + r * n * lanes, destinationStride: lanes)
            }
          }
          for column in 0..<n {
            variant.transformInput(
              half + column * lanes, stride: n * lanes, into: row + column * frequencyStride + channel,
              destinationStride: n * frequencyStride)
          }
          channel += lanes
        }
      }
    }
  }

  /// Copies `channels` (≤ 16) channels of the `n × n` positions from (`top`, `left`) (unpadded input
  /// coordinates; `plane` at position 0 and the first channel) into `patch[(r·n + c)·16 + lane]`, zeros for
  /// positions in the padding and for lanes past `channels`.
  @inline(__always)
  private func gatherPatch(
    _ plane: UnsafePointer<Float>, top: Int, left: Int, channels: Int, n: Int, pixel: Int,
    into patch: UnsafeMutablePointer<Float>
  ) {
    let (height, width) = (axes.input[1], axes.input[2])
    for r in 0..<n {
      let h = top + r
      for c in 0..<n {
        let w = left + c
        let value =
          h >= 0 && h < height && w >= 0 && w < width
          ? VectorAccess.loadPartial(plane + (h * width + w) * pixel, channels) : SIMD16<Float>()
        VectorAccess.store(value, patch + (r * n + c) * Self.lanes)
      }
    }
  }

  // MARK: - Products

  /// The `n²` GEMMs of one block: `products[ξ] (tiles × outputChannels) = transformed[ξ] · U[ξ]`, tile `t`'s
  /// output channel `o` of frequency `ξ` at `ξ·productStride + t·productRowStride + o`. Each 16-channel
  /// panel of `U[ξ]` stays in the first-level cache while every row group of tiles passes over it.
  private func multiply(
    group: Int, _ transformed: UnsafeMutablePointer<Float>, count: Int, outputChannels: Range<Int>,
    into products: UnsafeMutablePointer<Float>
  ) {
    let n = variant.inputTile
    let mr = Self.kernel.mr
    let lanes = Self.lanes
    let depth = channelsPerGroup
    let firstPanel = outputChannels.lowerBound / lanes * depth * lanes
    for frequency in 0..<(n * n) {
      let b = weights.frequency(frequency, group: group)
      let a = transformed + frequency * inputStride
      let c = products + frequency * productStride
      var column = outputChannels.lowerBound
      while column < outputChannels.upperBound {
        let panel = b + column / lanes * depth * lanes
        let columns = min(Self.tileColumns, outputChannels.upperBound - column)
        let upcoming = upcomingPanels(
          after: frequency, column: column, outputChannels: outputChannels, group: group, firstPanel: firstPanel)
        var row = 0
        var rowGroupIndex = 0
        while row < count {
          let rows = min(Self.rowGroup(remaining: count - row), count - row)
          let tile = GemmTile(
            depth: depth, a: a + row * inputRowStride, aRowStride: inputRowStride, b: panel,
            bPanelStride: depth * lanes, c: c + row * productRowStride + column, cRowStride: productRowStride,
            rows: rows, columns: columns, accumulate: false, epilogue: nil)
          // Each of the first row groups fetches its share of the upcoming panels.
          let share = depth * lanes * Self.tileColumns / lanes / Self.prefetchingRowGroups
          let hint = rowGroupIndex < Self.prefetchingRowGroups ? upcoming + rowGroupIndex * share : nil
          if rows > mr {
            GemmMicrokernel12x32.runReadingRows(tile, prefetching: hint, into: .secondLevel)
          } else if Self.tileColumns > lanes {
            GemmMicrokernel6x32.runReadingRows(tile, prefetching: hint, into: .secondLevel)
          } else {
            GemmMicrokernel6x16.runReadingRows(tile, prefetching: hint, into: .secondLevel)
          }
          row += rows
          rowGroupIndex += 1
        }
        column += columns
      }
    }
  }

  /// The panels `prefetchDistance` column tiles after the one at (`frequency`, `column`) in the order
  /// `multiply` runs them (column tiles within a frequency, then the next frequency's), clamped to the last.
  @inline(__always)
  private func upcomingPanels(
    after frequency: Int, column: Int, outputChannels: Range<Int>, group: Int, firstPanel: Int
  ) -> UnsafePointer<Float> {
    let n = variant.inputTile
    let width = Self.tileColumns
    let tilesPerFrequency = (outputChannels.count + width - 1) / width
    let position = frequency * tilesPerFrequency + (column - outputChannels.lowerBound) / width
    let target = min(position + Self.prefetchDistance, n * n * tilesPerFrequency - 1)
    let (targetFrequency, targetTile) = (target / tilesPerFrequency, target % tilesPerFrequency)
    return weights.frequency(targetFrequency, group: group) + firstPanel
      + targetTile * width / Self.lanes * channelsPerGroup * Self.lanes
  }

  /// Tiles in the next row group of a block with `remaining` tiles left: twelve where vectors are 512 bits
  /// wide and more than six remain (`GemmMicrokernel12x32`, which takes each weight panel through the
  /// first-level cache once for twelve tiles and issues fewer loads per multiply-add), six otherwise. A block
  /// of 24 tiles runs as 12 + 12, one of 16 (ResNet's 14×14 layers) as 12 + 4, the four on
  /// `GemmMicrokernel6x32.runFourRows`. Paired runs of blocks of 18 against their three groups of six
  /// (Sapphire Rapids, `ab_steps.py`, one / two threads): ResNet-18's Winograd steps 0.91 / 0.92 of their
  /// time (two threads with the sides swapped: 0.92), its whole run 0.95 / 0.95; ResNet-50's Winograd steps
  /// 0.90 / 0.87, its whole run 0.99 on one thread. Alone on one thread, twelve rows then the four-row
  /// tail: four 256-channel 3×3 layers at 14×14 0.95 and 0.945, 64 channels at 56×56 0.98.
  @inline(__always)
  static func rowGroup(remaining: Int) -> Int {
    let mr = kernel.mr
    return tileColumns > lanes && remaining > mr ? GemmMicrokernel12x32.mr : mr
  }

  /// How many column tiles ahead the GEMMs hint the weights into L2.
  static let prefetchDistance = 2

  /// Row groups of tiles over a weight panel whose kernels fetch half of the next panel each
  /// (`GemmMicrokernel6x16.runReadingRows(_:prefetching:)`, which also runs the last group of 16 tiles as
  /// four rows rather than six): with 16 tiles (ResNet's 14×14 and 7×7 layers) the transformed weights
  /// stream from memory, and the first group over each panel would wait for them.
  static let prefetchingRowGroups = 2

  /// Output channels per tile: two 16-wide panels of `U[ξ]` where vectors are 512 bits wide
  /// (`GemmMicrokernel6x32`), one otherwise.
  static let tileColumns = GemmMicrokernel6x32.preferred ? GemmMicrokernel6x32.nr : lanes

  // MARK: - Output transform

  /// One image and group's output and epilogue operands, at position 0 and the group's first output channel.
  private struct ImageEpilogue {
    var output: UnsafeMutablePointer<Float>
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
  }

  /// Transforms one problem's products of `outputChannels` back (`Aᵀ p A`), 16 channels of a tile at a time,
  /// and writes the valid part of each `m × m` tile to Y through the epilogue.
  @inline(__always)
  private func transformOutput(
    _ products: UnsafeMutablePointer<Float>, _ problem: Problem, outputChannels: Range<Int>, _ image: ImageEpilogue,
    variant: WinogradVariant, n: Int
  ) {
    let lanes = Self.lanes
    let m = variant.outputTile
    let (height, width) = (axes.output[1], axes.output[2])
    let frequencyStride = productStride
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: n * m + m * m) { buffer in
      let half = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: Float.self)
      let result = buffer.baseAddress! + n * m
      for index in 0..<problem.count {
        let tile = problem.firstTile + index
        let (top, left) = (tile / tilesWide * m, tile % tilesWide * m)
        let placement = TilePlacement(
          origin: top * width + left, rows: min(m, height - top), columns: min(m, width - left))
        let source = products + index * productRowStride
        var channel = outputChannels.lowerBound
        while channel < outputChannels.upperBound {
          for column in 0..<n {
            variant.transformOutput(
              source + channel + column * frequencyStride, stride: n * frequencyStride, into: half + column * lanes,
              destinationStride: n * lanes)
          }
          let results = UnsafeMutableRawPointer(result).assumingMemoryBound(to: Float.self)
          for row in 0..<m {
            variant.transformOutput(
              half + row * n * lanes, stride: lanes, into: results + row * m * lanes, destinationStride: lanes)
          }
          finish(
            result, placement, channel: channel, count: min(lanes, outputChannels.upperBound - channel), image, m: m)
          channel += lanes
        }
      }
    }
  }

  /// Where a tile lies in the output: its first position, and its valid rows and columns (fewer than `m` at
  /// the bottom and right edges).
  private struct TilePlacement {
    var origin: Int
    var rows: Int
    var columns: Int
  }

  /// `activation(result + bias + residual)` for the valid cells of one tile (`result[r·m + c]`, channels
  /// `channel..<channel+count` on the lanes), written to Y.
  @inline(__always)
  private func finish(
    _ result: UnsafeMutablePointer<SIMD16<Float>>, _ placement: TilePlacement, channel: Int, count: Int,
    _ image: ImageEpilogue, m: Int
  ) {
    let width = axes.output[2]
    let pixel = groups * outputChannelsPerGroup
    let bias = VectorAccess.loadPartial(image.bias, offset: channel, count)
    // The activation inlined into the loop (`withVectorForm`): called per vector it stayed out of line.
    image.activation.withVectorForm { activation in
      for r in 0..<placement.rows {
        for c in 0..<placement.columns {
          let offset = (placement.origin + r * width + c) * pixel + channel
          var value = result[r * m + c]
          if image.bias != nil { value += bias }
          if let residual = image.residual { value += VectorAccess.loadPartial(residual + offset, count) }
          VectorAccess.storePartial(activation(value), image.output + offset, count)
        }
      }
    }
  }
}
