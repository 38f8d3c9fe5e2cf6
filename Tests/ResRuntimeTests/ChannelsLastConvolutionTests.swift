import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// `ChannelsLastConvolution` against a naive channels-last convolution in double precision, over 1-D and
/// 2-D windows (1×1 to 7×7, strides, dilations, uneven pads), groups 1–3, channel counts that leave partial
/// 16-channel panels and partial 6-position tiles, batch 2, every epilogue combination, and 1 and 3 workers
/// (whose results must be bit-identical), through each strategy: the real cache blocks (short reductions
/// as packed tiles, 1×1 stride-1 windows as a plain GEMM, strided 1×1s as a GEMM on a copy of the positions
/// they read), and the indirect kernel for every geometry with real blocks and with tiny ones that cut every
/// task into many blocks of positions and input channels.
@Suite struct ChannelsLastConvolutionTests {
  struct Geometry: Sendable {
    var spatial: [Int]
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// Begins, then ends.
    var pads: [Int]
  }

  struct Case: CustomStringConvertible, Sendable {
    var geometry: Geometry
    var channelsPerGroup: Int
    var outputChannelsPerGroup: Int
    var groups: Int
    var blocking: ChannelsLastConvolution.Blocking
    /// Indices into `epilogues`: two per case, every combination over the grid.
    var epilogues: [Int]

    var description: String {
      "in\(geometry.spatial) k\(geometry.kernel) s\(geometry.strides) d\(geometry.dilations) p\(geometry.pads) "
        + "Cg\(channelsPerGroup) Mg\(outputChannelsPerGroup) g\(groups) block \(blocking.inputBlockBytes)/\(blocking.packedTileDepth)"
    }
  }

  static let geometries: [Geometry] = [
    Geometry(spatial: [9, 13], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1]),
    Geometry(spatial: [11, 6], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 0, 1, 2]),
    Geometry(spatial: [7, 9], kernel: [2, 3], strides: [1, 2], dilations: [2, 1], pads: [0, 1, 2, 1]),
    Geometry(spatial: [5, 7], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0]),
    Geometry(spatial: [9, 8], kernel: [1, 1], strides: [2, 3], dilations: [1, 1], pads: [0, 0, 0, 0]),
    Geometry(spatial: [6, 5], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [1, 0, 0, 2]),
    Geometry(spatial: [15, 13], kernel: [7, 7], strides: [2, 2], dilations: [1, 1], pads: [3, 3, 3, 3]),
    Geometry(spatial: [12, 10], kernel: [5, 3], strides: [3, 1], dilations: [2, 3], pads: [4, 2, 1, 3]),
    // A dilated window wider than the input: no output column lies inside (`IndirectionTable`'s interior).
    Geometry(spatial: [4, 3], kernel: [3, 3], strides: [1, 1], dilations: [1, 2], pads: [1, 1, 1, 1]),
    Geometry(spatial: [17], kernel: [3], strides: [1], dilations: [1], pads: [1, 1]),
    Geometry(spatial: [20], kernel: [5], strides: [3], dilations: [2], pads: [2, 0]),
    Geometry(spatial: [11], kernel: [1], strides: [1], dilations: [1], pads: [0, 0]),
  ]
  /// Input and output channels per group: a stem's 3 channels, outputs leaving 1–15 lanes of the last panel
  /// (the 8-lane path at 4 and 8), several panels.
  static let channelPairs: [(Int, Int)] = [(3, 21), (5, 40), (17, 9), (7, 4), (2, 33), (12, 8)]
  /// Every geometry through the indirect kernel (no packed tiles), its reduction cut into blocks of 2 or 3
  /// input channels and its positions into blocks of one tile.
  static let tiny = ChannelsLastConvolution.Blocking(
    inputBlockBytes: 1, wholePlaneInputBytes: 0, blockPointers: 1, unblockedReductionSteps: 8, blockReductionSteps: 9, packedTileDepth: 0,
    sampledInputBytes: 0)
  /// The real position blocks of a plane too large for one, every geometry through the indirect kernel
  /// (`.standard` takes these small planes in one block).
  static let indirect = ChannelsLastConvolution.Blocking(
    inputBlockBytes: 160 * 1024, wholePlaneInputBytes: 0, blockPointers: 16 * 1024, unblockedReductionSteps: 2304, blockReductionSteps: 1152,
    packedTileDepth: 0, sampledInputBytes: 0)

  /// `.standard` with strided 1x1s on the indirect kernel.
  static let standardIndirect: ChannelsLastConvolution.Blocking = {
    var blocking = ChannelsLastConvolution.Blocking.standard
    blocking.sampledInputBytes = 0
    return blocking
  }()

  /// `.standard` with row blocks of 16 KB of input in `ResidentWeightsGemm`: one tile of positions a block.
  static let residentRows: ChannelsLastConvolution.Blocking = {
    var blocking = ChannelsLastConvolution.Blocking.standard
    blocking.residentRowBlockBytes = 16 * 1024
    return blocking
  }()

  static let cases: [Case] = geometries.enumerated().flatMap { index, geometry in
    (1...3).map { groups in
      let (channels, outputs) = channelPairs[(index + groups) % channelPairs.count]
      return Case(
        geometry: geometry, channelsPerGroup: channels, outputChannelsPerGroup: outputs, groups: groups,
        blocking: [.standard, tiny, indirect][groups - 1], epilogues: [index % 5, (index + groups) % 5])
    }
  } + [
    // RegNet's grouped 3x3: many groups of 16 channels on a small padded plane, every group's tiles reading
    // one indirection table at its own channel offset (and the zero row there).
    Case(
      geometry: Geometry(spatial: [7, 7], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1]),
      channelsPerGroup: 16, outputChannelsPerGroup: 16, groups: 7, blocking: .standard, epilogues: [3, 4]),
    // 1x1 reductions longer than `GemmDriver.shortDepth` keep each tile's weights resident
    // (`ResidentWeightsGemm`): 88 channels more than one K block are two, 63 positions row blocks of 6 on
    // one worker (`residentRows`) and pieces of fewer on three, 70 outputs a 64-column tile and a partial one;
    // two groups of one channel more than a K block (two blocks of half of it and one) to 33 outputs each.
    Case(
      geometry: Geometry(spatial: [7, 9], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0]),
      channelsPerGroup: ResidentWeightsGemm.maximumDepth + 88, outputChannelsPerGroup: 70, groups: 1,
      blocking: residentRows, epilogues: [3, 2]),
    Case(
      geometry: Geometry(spatial: [5, 7], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0]),
      channelsPerGroup: ResidentWeightsGemm.maximumDepth + 1, outputChannelsPerGroup: 33, groups: 2,
      blocking: .standard, epilogues: [1, 4]),
    // Strided 1x1s on a copy of their positions: ResNet's downsample in miniature (the resident-weights GEMM,
    // 80 channels), three groups of a short reduction (`GemmDriver`), and a 1-D one of stride 3.
    Case(
      geometry: Geometry(spatial: [13, 11], kernel: [1, 1], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0]),
      channelsPerGroup: 80, outputChannelsPerGroup: 40, groups: 1, blocking: .standard, epilogues: [3, 2]),
    Case(
      geometry: Geometry(spatial: [8, 9], kernel: [1, 1], strides: [2, 3], dilations: [1, 1], pads: [0, 0, 0, 0]),
      channelsPerGroup: 9, outputChannelsPerGroup: 21, groups: 3, blocking: residentRows, epilogues: [1, 4]),
    Case(
      geometry: Geometry(spatial: [20], kernel: [1], strides: [3], dilations: [1], pads: [0, 0]),
      channelsPerGroup: 17, outputChannelsPerGroup: 16, groups: 2, blocking: .standard, epilogues: [0, 3]),
  ]

  static let epilogues: [(bias: Bool, residual: Bool, activation: PointwiseFunction)] = [
    (false, false, .identity), (true, false, .relu), (false, true, .clip(min: -0.5, max: 0.75)),
    (true, true, .relu), (true, true, .sigmoid),
  ]

  @Test(arguments: cases)
  func matchesNaiveConvolution(_ spec: Case) throws {
    let problem = try Problem(spec)
    let pool = WorkerPool(helpers: 2, spinNanoseconds: 0, yieldNanoseconds: 0)
    defer { pool.shutDown() }
    let sums = problem.naiveSums()
    for index in spec.epilogues {
      let epilogue = Self.epilogues[index]
      let label = "\(spec) epilogue \(index)"
      let single = problem.run(bias: epilogue.bias, residual: epilogue.residual, epilogue.activation, workers: 1, pool: nil)
      let split = problem.run(bias: epilogue.bias, residual: epilogue.residual, epilogue.activation, workers: 3, pool: pool)
      #expect(single.elementsEqual(split, by: { $0.bitPattern == $1.bitPattern }), "\(label): 3 workers differ")
      let expected = problem.finish(sums, bias: epilogue.bias, residual: epilogue.residual, epilogue.activation)
      expectClose(
        single.map(Double.init), expected, absolute: 1e-5 * Double(problem.depth + 2), relative: 1e-4, label)
    }
  }

  /// Short reductions gather their tiles only on fewer than 4 channels per group (a stem's three colours);
  /// grouped 3x3 layers of 4 to 16 channels per group (RegNet), whose reductions are as short, read them in
  /// place.
  @Test func onlyNarrowShortReductionsGatherTiles() throws {
    let geometry = Self.geometries[0]
    let strategies: [(Int, ChannelsLastConvolution.Strategy)] = [
      (2, .packedTiles), (3, .packedTiles), (4, .indirect), (8, .indirect), (12, .indirect), (16, .indirect),
    ]
    for (channels, expected) in strategies {
      let spec = Case(
        geometry: geometry, channelsPerGroup: channels, outputChannelsPerGroup: 16, groups: 2, blocking: .standard,
        epilogues: [0])
      #expect(try Problem(spec).convolution.strategy == expected, "\(channels) channels per group")
    }
  }

  /// A plane whose input fits `wholePlaneInputBytes` is one block of positions (its weights stream once); a
  /// larger one keeps blocks of whole output rows within `inputBlockBytes`; a zero bound never takes the whole.
  @Test func smallPlanesAreOneBlockOfPositions() throws {
    func block(side: Int, stride: Int, channels: Int, _ blocking: ChannelsLastConvolution.Blocking = Self.standardIndirect) throws
      -> (positions: Int, plane: Int)
    {
      let geometry = Geometry(
        spatial: [side, side], kernel: [1, 1], strides: [stride, stride], dilations: [1, 1], pads: [0, 0, 0, 0])
      let problem = try Problem(
        Case(
          geometry: geometry, channelsPerGroup: channels, outputChannelsPerGroup: 16, groups: 1, blocking: blocking,
          epilogues: [0]))
      #expect(problem.convolution.strategy == .indirect)
      return (problem.convolution.positionsPerBlock, problem.axes.outputPlane)
    }
    // ResNet-50's 1x1/2 downsample into 7x7: 784 KB of input, every position in one block (49 → 54).
    let small = try block(side: 14, stride: 2, channels: 1024)
    #expect(small.positions >= small.plane && small.positions % ChannelsLastConvolution.positionsPerTile == 0)
    // 56x56 at 128 channels (1.6 MB): blocks of whole output rows, each within 160 KB of input rows (five
    // rows of 28 KB give three output rows of 28 at stride 2).
    let large = try block(side: 56, stride: 2, channels: 128)
    #expect(large.positions == 3 * 28 && large.plane == 28 * 28)
    let rows = try block(side: 14, stride: 2, channels: 1024, Self.indirect)
    #expect(rows.positions < rows.plane)
  }

  /// A strided, unpadded 1x1 copies its positions and runs the GEMM when the copy of a whole plane fits
  /// `sampledInputBytes`, and the indirect kernel otherwise; a padded or stride-1 one never copies.
  @Test func stridedPointwiseCopiesItsPositions() throws {
    func strategy(side: Int, stride: Int, channels: Int, pads: [Int] = [0, 0, 0, 0]) throws
      -> ChannelsLastConvolution.Strategy
    {
      let geometry = Geometry(
        spatial: [side, side], kernel: [1, 1], strides: [stride, stride], dilations: [1, 1], pads: pads)
      return try Problem(
        Case(
          geometry: geometry, channelsPerGroup: channels, outputChannelsPerGroup: 16, groups: 1, blocking: .standard,
          epilogues: [0])
      ).convolution.strategy
    }
    #expect(try strategy(side: 56, stride: 2, channels: 256) == .sampledGemm)
    #expect(try strategy(side: 14, stride: 2, channels: 1024) == .sampledGemm)
    // 64 x 64 positions x 512 channels: 8 MB, over the 4 MB bound.
    #expect(try strategy(side: 128, stride: 2, channels: 512) == .indirect)
    #expect(try strategy(side: 14, stride: 2, channels: 64, pads: [1, 1, 0, 0]) == .indirect)
    #expect(try strategy(side: 14, stride: 1, channels: 64) == .gemm)
  }

  @Test func rejectsWeightsOfAnotherShape() throws {
    let problem = try Problem(Self.cases[0])
    #expect(throws: RuntimeError.self) {
      try ChannelsLastConvolution(
        weights: problem.convolution.weights, axes: problem.axes, groups: problem.spec.groups,
        channelsPerGroup: problem.spec.channelsPerGroup + 1, outputChannelsPerGroup: problem.spec.outputChannelsPerGroup)
    }
  }

  /// One case's random tensors, its convolution, and both ways of computing it.
  struct Problem {
    static let batch = 2
    let spec: Case
    let axes: WindowAxes
    let convolution: ChannelsLastConvolution
    /// Channels-last input, ONNX weights `[M, Cg, k...]`, bias, channels-last residual.
    let x: [Float]
    let w: [Float]
    let bias: [Float]
    let residual: [Float]
    let depth: Int
    let site = StepSite(index: 0, name: "test", kernel: "test")

    init(_ spec: Case) throws {
      self.spec = spec
      let geometry = spec.geometry
      let operands = StepOperands(
        site: site, inputs: [], outputs: [], constants: UnsafeRawBufferPointer(start: nil, count: 0))
      var axes = try WindowAxes(
        input: geometry.spatial, kernelShape: geometry.kernel.map(Int64.init), defaultKernel: nil,
        strides: geometry.strides.map(Int64.init), dilations: geometry.dilations.map(Int64.init),
        pads: geometry.pads.map(Int64.init), operands: operands)
      let rank = geometry.spatial.count
      let output = try ((3 - rank)..<3).map { axis in try #require(axes.floorOutput(axis: axis)) }
      try axes.setOutput(output, operands)
      self.axes = axes
      var random = SeededGenerator(seed: UInt64(spec.description.utf8.reduce(7) { $0 &* 31 &+ Int($1) }.magnitude))
      let channels = spec.groups * spec.channelsPerGroup
      let outputChannels = spec.groups * spec.outputChannelsPerGroup
      depth = spec.channelsPerGroup * axes.kernelVolume
      x = random.floats(Self.batch * axes.inputPlane * channels)
      w = random.floats(outputChannels * depth)
      bias = random.floats(outputChannels)
      residual = random.floats(Self.batch * axes.outputPlane * outputChannels)
      let shape = ConvShape(
        input: axes.input, output: axes.output, kernel: axes.kernel, strides: axes.strides, dilations: axes.dilations,
        padsBegin: axes.padsBegin, padsEnd: axes.padsEnd, groups: spec.groups, channelsPerGroup: spec.channelsPerGroup,
        outputChannelsPerGroup: spec.outputChannelsPerGroup)
      let layout = try #require(ConvMethod.direct.weightLayout(shape, widths: .runtime))
      var panels: [PackedPanels] = []
      try w.withUnsafeBufferPointer { weights in
        for group in 0..<spec.groups {
          panels.append(try PackedPanels(weights.baseAddress! + group * layout.matrixStride, layout: layout))
        }
      }
      convolution = try ChannelsLastConvolution(
        weights: panels, axes: axes, groups: spec.groups, channelsPerGroup: spec.channelsPerGroup,
        outputChannelsPerGroup: spec.outputChannelsPerGroup, blocking: spec.blocking)
    }

    var outputCount: Int { Self.batch * axes.outputPlane * spec.groups * spec.outputChannelsPerGroup }

    /// The batch through `convolution` on a run context of its own.
    func run(bias useBias: Bool, residual useResidual: Bool, _ activation: PointwiseFunction, workers: Int, pool: WorkerPool?)
      -> [Float]
    {
      var y = [Float](repeating: .nan, count: outputCount)
      let perWorker = (try? convolution.scratchBytesPerWorker(site: site)) ?? 0
      let stride = (perWorker + 63) / 64 * 64
      var scratch = [Float](repeating: .nan, count: stride / 4 * workers + 16)
      let addresses: [UnsafeMutableRawPointer] = []
      addresses.withUnsafeBufferPointer { table in
        scratch.withUnsafeMutableBytes { scratchBytes in
          x.withUnsafeBufferPointer { input in
            bias.withUnsafeBufferPointer { biasPointer in
              residual.withUnsafeBufferPointer { residualPointer in
                y.withUnsafeMutableBufferPointer { output in
                  let context = RunContext(
                    addresses: table, scratch: scratchBytes.baseAddress!, scratchStride: stride,
                    sharedScratch: scratchBytes.baseAddress!, threads: workers, pool: pool)
                  convolution.run(
                    context,
                    ChannelsLastConvolution.Operands(
                      input: input.baseAddress!, output: output.baseAddress!,
                      bias: useBias ? biasPointer.baseAddress : nil,
                      residual: useResidual ? residualPointer.baseAddress : nil, activation: activation,
                      batch: Self.batch),
                    workers: workers)
                }
              }
            }
          }
        }
      }
      return y
    }

    /// The convolution's sums by their definition, channels-last: output (n, position, m) sums every tap and
    /// input channel of m's group whose input position lies inside the input.
    func naiveSums() -> [Double] {
      let channels = spec.groups * spec.channelsPerGroup
      let outputChannels = spec.groups * spec.outputChannelsPerGroup
      var y = [Double](repeating: 0, count: outputCount)
      for n in 0..<Self.batch {
        for od in 0..<axes.output[0] {
          for oh in 0..<axes.output[1] {
            for ow in 0..<axes.output[2] {
              let position = (od * axes.output[1] + oh) * axes.output[2] + ow
              for m in 0..<outputChannels {
                let group = m / spec.outputChannelsPerGroup
                var sum = 0.0
                for c in 0..<spec.channelsPerGroup {
                  for kd in 0..<axes.kernel[0] {
                    for kh in 0..<axes.kernel[1] {
                      for kw in 0..<axes.kernel[2] {
                        let d = od * axes.strides[0] - axes.padsBegin[0] + kd * axes.dilations[0]
                        let h = oh * axes.strides[1] - axes.padsBegin[1] + kh * axes.dilations[1]
                        let w = ow * axes.strides[2] - axes.padsBegin[2] + kw * axes.dilations[2]
                        guard d >= 0, d < axes.input[0], h >= 0, h < axes.input[1], w >= 0, w < axes.input[2] else {
                          continue
                        }
                        let inputPosition = (d * axes.input[1] + h) * axes.input[2] + w
                        let xValue = x[(n * axes.inputPlane + inputPosition) * channels + group * spec.channelsPerGroup + c]
                        let tap = (kd * axes.kernel[1] + kh) * axes.kernel[2] + kw
                        sum += Double(xValue) * Double(self.w[m * depth + c * axes.kernelVolume + tap])
                      }
                    }
                  }
                }
                y[(n * axes.outputPlane + position) * outputChannels + m] = sum
              }
            }
          }
        }
      }
      return y
    }

    /// `sums` through the epilogue: bias per output channel, then the residual, then the activation.
    func finish(_ sums: [Double], bias useBias: Bool, residual useResidual: Bool, _ activation: PointwiseFunction)
      -> [Double]
    {
      let outputChannels = spec.groups * spec.outputChannelsPerGroup
      return sums.enumerated().map { index, sum in
        var value = sum
        if useBias { value += Double(bias[index % outputChannels]) }
        if useResidual { value += Double(residual[index]) }
        return NaiveMath.pointwise(activation, value)
      }
    }
  }
}
