import ResCompiler
import ResPasses
import ResPlan
import ResReference
import ResTestSupport
import Testing

@testable import ResRuntime

/// Video residual networks (`[N, C, D, H, W]`, 3-D windows) compute channels-last, `[N, D, H, W, C]`, as the
/// image networks do: a 3x3x3 stem, (2+1)-D blocks (a 1x3x3 spatial convolution then a 3x1x1 temporal one with
/// the residual, R(2+1)D's factorization), 3-D basic blocks, a strided block with a strided 1x1x1 projection, a
/// depthwise 3x3x3 layer, a 1x3x3 max pooling and a global average pooling; and I3D-style branches (Concat,
/// Split, Slice), an unfused batch norm, a Pad and a trilinear Resize inside the region. Every convolution after the stem reads and
/// writes channels-last, and the plans give the reference evaluator's results and the row-major plan's on one
/// thread and on three.
@Suite struct ChannelsLastVideoExecutionTests {
  /// Builds the network block by block: each reads `current` (`channels` channels) and replaces it.
  struct VideoBuilder {
    let b = GraphBuilder()
    var random: SeededGenerator
    var current: ValueID
    var channels: Int
    var index = 0

    init(seed: UInt64, frames: Int, size: Int) {
      random = SeededGenerator(seed: seed)
      current = b.input("f32[1,3,\(frames),\(size),\(size)]")
      channels = 3
    }

    mutating func constant(_ shape: [Int], scale: Float) -> ValueID {
      index += 1
      let values = random.floats(shape.reduce(1, *)).map { $0 * scale }
      return b.graph.addConstant(
        name: "c\(index)", Constant(dtype: .float32, dims: shape, doubles: values.map(Double.init)))
    }

    /// A convolution of `input` (default `current`) to `outputs` channels with window `kernel` (depth,
    /// height, width), padded to keep the size at stride 1.
    mutating func conv(
      _ input: ValueID? = nil, outputs: Int, kernel: [Int], strides: [Int] = [1, 1, 1], group: Int = 1,
      activation: Activation? = .relu, residual: ValueID? = nil
    ) throws -> ValueID {
      let pads = kernel.map { $0 / 2 }
      let attributes = ConvAttributes(
        kernelShape: kernel, strides: strides, dilations: [1, 1, 1], padding: .explicit(pads + pads), group: group,
        epilogue: Epilogue(residual: residual != nil, activation: activation))
      let fanIn = channels / group * kernel.reduce(1, *)
      let weights = constant([outputs, channels / group] + kernel, scale: 1 / Float(fanIn).squareRoot())
      let bias = constant([outputs], scale: 0.1)
      index += 1
      return try b.value(
        .conv(attributes), [input ?? current, weights, bias] + (residual.map { [$0] } ?? []), name: "conv\(index)")
    }

    mutating func stem(outputs: Int) throws {
      current = try conv(outputs: outputs, kernel: [3, 3, 3], strides: [1, 2, 2])
      channels = outputs
    }

    /// R(2+1)D: a 1x3x3 to `middle` channels, then a 3x1x1 back with the block's input as the residual.
    mutating func factorizedBlock(middle: Int) throws {
      let block = current
      let outputs = channels
      current = try conv(outputs: middle, kernel: [1, 3, 3])
      channels = middle
      current = try conv(outputs: outputs, kernel: [3, 1, 1], residual: block)
      channels = outputs
    }

    mutating func basicBlock() throws {
      let block = current
      current = try conv(outputs: channels, kernel: [3, 3, 3])
      current = try conv(outputs: channels, kernel: [3, 3, 3], residual: block)
    }

    /// Halves every axis and doubles the channels; the shortcut is a strided 1x1x1 projection.
    mutating func stridedBlock() throws {
      let block = current
      let outputs = 2 * channels
      let projection = try conv(outputs: outputs, kernel: [1, 1, 1], strides: [2, 2, 2], activation: nil)
      current = try conv(outputs: outputs, kernel: [3, 3, 3], strides: [2, 2, 2])
      channels = outputs
      current = try conv(outputs: outputs, kernel: [3, 3, 3], residual: projection)
    }

    mutating func depthwise() throws {
      current = try conv(outputs: channels, kernel: [3, 3, 3], group: channels)
    }

    /// I3D's Inception module: a 1x1x1 branch, a 3x3x3 branch and a 3x3x3 stride-1 max pool, concatenated.
    mutating func inceptionBranches() throws {
      let narrow = try conv(outputs: channels / 2, kernel: [1, 1, 1])
      let wide = try conv(outputs: channels / 2, kernel: [3, 3, 3])
      let attributes = PoolAttributes(
        kernelShape: [3, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1],
        padding: .explicit([1, 1, 1, 1, 1, 1]), ceilMode: false)
      index += 1
      let pooled = try b.value(.maxPool(attributes), [current], name: "pool\(index)")
      current = try b.value(.concat(axis: 1), [narrow, wide, pooled], name: "concat\(index)")
      channels *= 2
    }

    /// The channels split in two, a 3x3x3 on each half, concatenated back, then sliced to all but the last 4.
    mutating func splitAndSlice() throws {
      let half = channels / 2
      index += 1
      let halves = try b.node(.split(axis: 1, sizes: [half, channels - half]), [current], name: "split\(index)")
      channels = half
      let first = try conv(halves[0], outputs: half, kernel: [3, 3, 3])
      let second = try conv(halves[1], outputs: half, kernel: [3, 3, 3])
      index += 1
      let joined = try b.value(.concat(axis: 1), [first, second], name: "concat\(index)")
      channels = 2 * half - 4
      let bounds = [Int64(0), Int64(channels), Int64(1)].map { [$0] }
      current = try b.value(
        .slice, [joined] + bounds.enumerated().map { b.int64s($1, name: "bound\(index).\($0)") }, name: "slice\(index)")
    }

    /// A batch norm no convolution absorbs (after the ReLU), as a ScaleShift along the channels.
    mutating func unfusedBatchNorm() throws {
      let scale = constant([channels], scale: 0.2)
      let shift = constant([channels], scale: 0.1)
      index += 1
      current = try b.value(.scaleShift(axis: 1, epilogue: .none), [current, scale, shift], name: "bn\(index)")
    }

    /// Zero padding of one frame before and two cells after along height and width, then an unpadded 3x3x3.
    mutating func padThenConv() throws {
      index += 1
      let padded = try b.value(
        .pad(mode: .constant, pads: [0, 0, 1, 0, 0, 0, 0, 0, 2, 2]), [current], name: "pad\(index)")
      let attributes = ConvAttributes(
        kernelShape: [3, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1], padding: .explicit([0, 0, 0, 0, 0, 0]),
        group: 1, epilogue: Epilogue(activation: .relu))
      let weights = constant([channels, channels, 3, 3, 3], scale: 1 / Float(27 * channels).squareRoot())
      index += 1
      current = try b.value(.conv(attributes), [padded, weights], name: "conv\(index)")
    }

    /// Trilinear upsampling of height and width by 2 to `side` (a 3-D U-Net's decoder), then a 1x1x1.
    mutating func upsample(to side: Int) throws {
      let resize = ResizeAttributes(
        mode: .linear, coordinates: .halfPixel, nearestRounding: .floor, scales: [1, 1, 1, 2, 2],
        sizes: [-1, -1, -1, side, side])
      index += 1
      let upsampled = try b.value(.resize(resize), [current], name: "upsample\(index)")
      current = try conv(upsampled, outputs: channels, kernel: [1, 1, 1])
    }

    mutating func maxPool() throws {
      let attributes = PoolAttributes(
        kernelShape: [1, 3, 3], strides: [1, 2, 2], dilations: [1, 1, 1], padding: .explicit([0, 1, 1, 0, 1, 1]),
        ceilMode: false)
      index += 1
      current = try b.value(.maxPool(attributes), [current], name: "pool\(index)")
    }
  }

  static func network(seed: UInt64) throws -> Graph {
    var network = VideoBuilder(seed: seed, frames: 6, size: 22)
    try network.stem(outputs: 16)
    try network.maxPool()
    try network.factorizedBlock(middle: 24)
    try network.basicBlock()
    try network.stridedBlock()
    try network.depthwise()
    try network.factorizedBlock(middle: 40)
    network.index += 1
    network.current = try network.b.value(.globalAveragePool, [network.current], name: "gap")
    network.b.graph.outputs = [network.current]
    return network.b.graph
  }

  /// I3D-style: Inception modules (Concat), a split into two convolved halves joined and sliced, an unfused
  /// batch norm, an explicit Pad and a trilinear upsampling, all between channels-last convolutions.
  static func branchingNetwork(seed: UInt64) throws -> Graph {
    var network = VideoBuilder(seed: seed, frames: 5, size: 18)
    try network.stem(outputs: 16)
    try network.inceptionBranches()
    try network.unfusedBatchNorm()
    try network.splitAndSlice()
    try network.padThenConv()
    try network.upsample(to: 18)
    try network.basicBlock()
    network.b.graph.outputs = [network.current]
    return network.b.graph
  }

  /// Every step of the branching network after the stem stays channels-last: the only reorders are the
  /// image's (or none, before a row-major stem) and the output's.
  @Test(arguments: [UInt64(3), 4])
  func branchingVideoNetworksStayInOneRegion(seed: UInt64) throws {
    let graph = try Self.branchingNetwork(seed: seed)
    let decoded = try Plan(bytes: try PlanGenerator.generate(graph).bytes)
    let steps = decoded.program.steps
    for kernel in [KernelID.f32ChannelAffine, .copy, .pad, .resize] {
      let found = steps.filter { $0.kernel == kernel }
      #expect(!found.isEmpty && found.allSatisfy { $0.outputs[0].isChannelsLast }, "\(kernel)")
    }
    #expect(steps.count { $0.kernel == .f32Reorder } <= 2)
    try Self.expectReferenceResults(graph, seed: seed)
  }

  @Test(arguments: [UInt64(1), 2])
  func videoNetworksComputeChannelsLast(seed: UInt64) throws {
    let graph = try Self.network(seed: seed)
    let decoded = try Plan(bytes: try PlanGenerator.generate(graph).bytes)
    let convolutions = decoded.program.steps.filter { $0.kernel == .f32ConvNCHWGeneric }
    #expect(convolutions.count == 11)
    #expect(
      convolutions.dropFirst().allSatisfy { $0.inputs[0].isChannelsLast && $0.outputs[0].isChannelsLast },
      "every convolution after the stem reads and writes [N, D, H, W, C]")
    #expect(decoded.program.steps.contains { $0.kernel == .f32Pool && $0.inputs[0].isChannelsLast })
    try Self.expectReferenceResults(graph, seed: seed)
  }

  /// The default plan matches the reference evaluator and the row-major plan on one thread and on three.
  static func expectReferenceResults(_ graph: Graph, seed: UInt64) throws {
    let inputs = try SeededInputs.make(for: graph, seed: seed)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    for threads in [1, 3] {
      let channelsLast = try PlanExecution.run(graph, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(channelsLast, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(threads) threads")
      #expect(PlanExecution.mismatch(channelsLast, rowMajor, rtol: 1e-4, atol: 1e-4) == nil, "\(threads) threads")
    }
  }
}
