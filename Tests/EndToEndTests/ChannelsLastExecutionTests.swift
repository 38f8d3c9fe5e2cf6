import ResCompiler
import ResPasses
import ResReference
import ResTestSupport
import Testing

@testable import ResRuntime

/// Residual networks of seeded random shape compiled with channels-last regions give the reference evaluator's
/// results, on one thread and on three, and the row-major plan's within rounding: stems of 3x3 and 7x7 at
/// stride 2 (reading the image row-major, as every stem on an image), max and average pooling, basic blocks (Winograd's 3x3 from 16 channels), bottlenecks with strided
/// projections, inverted residuals with depthwise layers at stride 1 and 2, grouped convolutions, unfused
/// residual Adds and ReLUs, Inception modules, Res2Net splits and GhostNet modules (Concat, Split and Slice as
/// channels-last copies), RepVGG blocks (a channels-last ScaleShift with a residual), and a global pooling or a graph output at the end (a reorder back). Each network
/// must really be channels-last: the stem writes channels-last and nothing reorders the image before it.
@Suite struct ChannelsLastExecutionTests {
  /// Builds the networks: every block reads `current` (`channels` channels of `size` x `size`) and replaces it.
  struct NetworkBuilder {
    let b = GraphBuilder()
    var random: SeededGenerator
    var current: ValueID
    var channels: Int
    var size: Int
    var index = 0

    /// The element type of the image and every constant (float16: a model converted to half precision).
    let dtype: DType

    init(seed: UInt64, channels: Int, size: Int, dtype: DType = .float32) {
      random = SeededGenerator(seed: seed)
      current = b.input("\(dtype.rawValue)[1,3,\(size),\(size)]")
      self.channels = channels
      self.size = size
      self.dtype = dtype
    }

    mutating func weights(_ shape: [Int]) -> ValueID {
      index += 1
      let count = shape.reduce(1, *)
      let scale = 1 / Float(shape.dropFirst().reduce(1, *)).squareRoot()
      return constant(random.floats(count).map { $0 * scale }, shape, name: "w\(index)")
    }

    func constant(_ values: [Float], _ dims: [Int], name: String) -> ValueID {
      b.graph.addConstant(name: name, Constant(dtype: dtype, dims: dims, doubles: values.map(Double.init)))
    }

    mutating func bias(_ count: Int) -> ValueID {
      index += 1
      return constant(random.floats(count).map { $0 * 0.1 }, [count], name: "b\(index)")
    }

    /// A convolution of `current` (or `input`) to `outputs` channels.
    mutating func conv(
      _ input: ValueID? = nil, inputChannels: Int? = nil, outputs: Int, kernel: Int, stride: Int = 1, group: Int = 1,
      activation: Activation? = nil, residual: ValueID? = nil
    ) throws -> ValueID {
      let pad = kernel / 2
      let attributes = ConvAttributes(
        kernelShape: [kernel, kernel], strides: [stride, stride], dilations: [1, 1],
        padding: .explicit([pad, pad, pad, pad]), group: group,
        epilogue: Epilogue(residual: residual != nil, activation: activation))
      let w = weights([outputs, (inputChannels ?? channels) / group, kernel, kernel])
      index += 1
      let operands = [input ?? current, w, bias(outputs)] + (residual.map { [$0] } ?? [])
      return try b.value(.conv(attributes), operands, name: "conv\(index)")
    }

    mutating func stem(kernel: Int) throws {
      current = try conv(inputChannels: 3, outputs: channels, kernel: kernel, stride: 2, activation: .relu)
      size = (size + 1) / 2
    }

    mutating func pool(max: Bool) throws {
      let window = max ? 3 : 2
      let attributes = PoolAttributes(
        kernelShape: [window, window], strides: [2, 2], dilations: [1, 1],
        padding: .explicit(max ? [1, 1, 1, 1] : [0, 0, 0, 0]), ceilMode: false)
      index += 1
      current = try b.value(max ? .maxPool(attributes) : .averagePool(attributes), [current], name: "pool\(index)")
      size = max ? (size + 1) / 2 : size / 2
    }

    mutating func basicBlock() throws {
      let first = try conv(outputs: channels, kernel: 3, activation: .relu)
      current = try conv(first, outputs: channels, kernel: 3, activation: .relu, residual: current)
    }

    mutating func bottleneck(stride: Int, widening: Int) throws {
      let outputs = channels * widening
      let reduced = try conv(outputs: channels / 2, kernel: 1, activation: .relu)
      let spatial = try conv(reduced, inputChannels: channels / 2, outputs: channels / 2, kernel: 3, stride: stride, activation: .relu)
      let projection = try conv(outputs: outputs, kernel: 1, stride: stride)
      current = try conv(
        spatial, inputChannels: channels / 2, outputs: outputs, kernel: 1, activation: .relu, residual: projection)
      channels = outputs
      size = (size - 1) / stride + 1
    }

    mutating func invertedResidual(stride: Int) throws {
      let expanded = channels * 3
      let relu6 = Activation.clip(min: 0, max: 6)
      let expand = try conv(outputs: expanded, kernel: 1, activation: relu6)
      let depthwise = try conv(
        expand, inputChannels: expanded, outputs: expanded, kernel: 3, stride: stride, group: expanded, activation: relu6)
      let project = try conv(
        depthwise, inputChannels: expanded, outputs: channels, kernel: 1, residual: stride == 1 ? current : nil)
      current = project
      size = (size - 1) / stride + 1
    }

    mutating func groupedBranches() throws {
      let left = try conv(outputs: channels, kernel: 3, group: 2, activation: .relu)
      let right = try conv(outputs: channels, kernel: 1)
      index += 1
      let sum = try b.value(.binary(.add), [left, right], name: "add\(index)")
      current = try b.value(.unary(.relu), [sum], name: "relu\(index)")
    }

    /// An Inception module: a 1x1 and a 3x3 branch and a stride-1 max pool, concatenated (twice the channels).
    mutating func inceptionBranches() throws {
      let narrow = try conv(outputs: channels / 2, kernel: 1, activation: .relu)
      let wide = try conv(outputs: channels / 2, kernel: 3, activation: .relu)
      let attributes = PoolAttributes(
        kernelShape: [3, 3], strides: [1, 1], dilations: [1, 1], padding: .explicit([1, 1, 1, 1]), ceilMode: false)
      index += 1
      let pooled = try b.value(.maxPool(attributes), [current], name: "pool\(index)")
      current = try b.value(.concat(axis: 1), [narrow, wide, pooled], name: "concat\(index)")
      channels *= 2
    }

    /// Res2Net's channel groups: Split, a 3x3 on the first half, the second half added to it before its own
    /// 3x3, both concatenated back.
    mutating func splitBranches() throws {
      let half = channels / 2
      index += 1
      let halves = try b.node(.split(axis: 1, sizes: [half, channels - half]), [current], name: "split\(index)")
      let first = try conv(halves[0], inputChannels: half, outputs: half, kernel: 3, activation: .relu)
      index += 1
      let mixed = try b.value(.binary(.add), [halves[1], first], name: "add\(index)")
      let second = try conv(mixed, inputChannels: half, outputs: half, kernel: 3, activation: .relu)
      current = try b.value(.concat(axis: 1), [first, second], name: "concat\(index)")
    }

    /// A GhostNet module: a 1x1, a depthwise 3x3 of its result, both concatenated and sliced to the width.
    mutating func ghostModule() throws {
      let primaryChannels = channels / 2 + 2
      let primary = try conv(outputs: primaryChannels, kernel: 1, activation: .relu)
      let cheap = try conv(
        primary, inputChannels: primaryChannels, outputs: primaryChannels, kernel: 3, group: primaryChannels,
        activation: .relu)
      index += 1
      let joined = try b.value(.concat(axis: 1), [primary, cheap], name: "concat\(index)")
      let bounds = [Int64(0), Int64(channels), Int64(1)].map { [$0] }
      current = try b.value(
        .slice, [joined] + bounds.enumerated().map { b.int64s($1, name: "bound\(index).\($0)") }, name: "slice\(index)")
    }

    /// A RepVGG block as timm exports it: a 3x3 and a 1x1 of the input summed, then the identity branch's
    /// BatchNorm (a ScaleShift no convolution absorbs) adding that sum, and a ReLU.
    mutating func repVGGBlock() throws {
      let pointwise = try conv(outputs: channels, kernel: 1)
      let summed = try conv(outputs: channels, kernel: 3, residual: pointwise)
      index += 1
      let scale = constant(random.floats(channels).map { 1 + 0.2 * $0 }, [channels], name: "scale\(index)")
      let shift = constant(random.floats(channels).map { 0.1 * $0 }, [channels], name: "shift\(index)")
      current = try b.value(
        .scaleShift(axis: 1, epilogue: Epilogue(residual: true, activation: .relu)), [current, scale, shift, summed],
        name: "identity\(index)")
    }

    mutating func globalPooling() throws {
      current = try b.value(.globalAveragePool, [current], name: "gap")
    }

    /// A DenseNet bottleneck: a 1x1 of `input` to `outputs` channels with a batch-norm + ReLU input prologue
    /// and a ReLU.
    mutating func bottleneck(_ input: ValueID, inputChannels: Int, outputs: Int) throws -> ValueID {
      var attributes = ConvAttributes(
        kernelShape: [1, 1], strides: [1, 1], dilations: [1, 1], padding: .explicit([0, 0, 0, 0]), group: 1,
        epilogue: Epilogue(activation: .relu))
      attributes.prologue = ConvPrologue(activation: .relu)
      let w = weights([outputs, inputChannels, 1, 1])
      let shift = bias(inputChannels)
      let scale = constant(random.floats(inputChannels).map { 1 + 0.3 * $0 }, [inputChannels], name: "scale\(index)")
      let operands = [input, w, bias(outputs), nil, scale, shift]
      return try b.value(.conv(attributes), operands, name: "bottleneck\(index)")
    }
  }

  /// The networks, by seed: each a stem, maybe a pooling, four random blocks, and a global pooling or not.
  static func network(seed: UInt64) throws -> Graph {
    var random = SeededGenerator(seed: seed)
    var network = NetworkBuilder(seed: seed, channels: [8, 16, 24][Int(random.next() % 3)], size: 17 + Int(random.next() % 12))
    try network.stem(kernel: seed % 2 == 0 ? 3 : 7)
    if random.next() % 2 == 0 { try network.pool(max: random.next() % 2 == 0) }
    for _ in 0..<4 {
      switch random.next() % 9 {
      case 0: try network.basicBlock()
      case 1: try network.bottleneck(stride: Int(random.next() % 2) + 1, widening: 2)
      case 2: try network.invertedResidual(stride: Int(random.next() % 2) + 1)
      case 3: try network.groupedBranches()
      case 4: try network.inceptionBranches()
      case 5: try network.splitBranches()
      case 6: try network.ghostModule()
      case 7: try network.repVGGBlock()
      default: try network.basicBlock()
      }
    }
    if seed % 3 != 0 { try network.globalPooling() }
    network.b.graph.outputs = [network.current]
    return network.b.graph
  }

  /// Two DenseNet layers (a bottleneck 1x1 with a batch-norm + ReLU prologue over the row-major concatenation,
  /// a 3x3, the Concat), then a bottleneck that reads a value of its own region (a 3x3's result, which the 3x3
  /// after the bottleneck adds back as its residual). Every bottleneck reads X row-major and writes
  /// channels-last (`ChannelsLastPointwise`), the last one after a reorder of its X back to row-major; the
  /// Concats stay row-major. The plan matches the reference evaluator and the row-major plan on one thread and
  /// three, in float32 and in float16 (whose convolutions compute in float32 behind casts).
  @Test(arguments: [DType.float32, .float16])
  func bottlenecksWithProloguesWriteChannelsLast(dtype: DType) throws {
    var network = NetworkBuilder(seed: 21, channels: 32, size: 28, dtype: dtype)
    try network.stem(kernel: 3)
    var features = network.current
    for _ in 0..<2 {
      let narrowed = try network.bottleneck(features, inputChannels: network.channels, outputs: 32)
      let grown = try network.conv(narrowed, inputChannels: 32, outputs: 16, kernel: 3, activation: .relu)
      network.index += 1
      features = try network.b.value(.concat(axis: 1), [features, grown], name: "concat\(network.index)")
      network.channels += 16
    }
    let entry = try network.conv(features, outputs: 32, kernel: 3, activation: .relu)
    let narrowed = try network.bottleneck(entry, inputChannels: 32, outputs: 32)
    network.current = try network.conv(
      narrowed, inputChannels: 32, outputs: 32, kernel: 3, activation: .relu, residual: entry)
    try network.globalPooling()
    network.b.graph.outputs = [network.current]
    let graph = network.b.graph

    let steps = try Plan(bytes: try PlanGenerator.generate(graph).bytes).program.steps
    let bottlenecks = steps.filter { $0.kernel == .f32ConvNCHWGeneric && $0.inputs.count == 5 }
    #expect(bottlenecks.count == 3)
    #expect(bottlenecks.allSatisfy { !$0.inputs[0].isChannelsLast && $0.outputs[0].isChannelsLast })
    let reorders = steps.filter { $0.kernel == .f32Reorder }
    #expect(
      reorders.contains { $0.outputs[0].index == bottlenecks[2].inputs[0].index }
        || steps.contains { $0.kernel == .cast && $0.outputs[0].index == bottlenecks[2].inputs[0].index },
      "the last bottleneck's X is its region's value, reordered back for it")
    let inputs = try SeededInputs.make(for: graph, seed: 21)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    let tolerance = dtype == .float16 ? 2e-3 : 1e-4
    for threads in [1, 3] {
      let channelsLast = try PlanExecution.run(graph, inputs: inputs, threads: threads)
      #expect(
        PlanExecution.mismatch(channelsLast, expected, rtol: tolerance, atol: tolerance) == nil, "\(threads) threads")
      #expect(PlanExecution.mismatch(channelsLast, rowMajor, rtol: tolerance, atol: tolerance) == nil)
    }
  }

  /// An HRNet fusion: a half-resolution branch (a stride-2 3x3, a 1x1) upsampled 2x by a Resize and added to
  /// the full-resolution branch, then ReLU and a 3x3 before the output. The Resize computes channels-last inside
  /// the region (the only reorders are the image's and the output's) and matches the reference evaluator and
  /// the row-major plan, on one thread and on three, for nearest, linear and cubic upsampling.
  @Test(arguments: [ResizeMode.nearest, .linear, .cubic])
  func anUpsamplingFusionStaysChannelsLast(mode: ResizeMode) throws {
    var network = NetworkBuilder(seed: 5, channels: 16, size: 20)
    let full = try network.conv(inputChannels: 3, outputs: 16, kernel: 3, activation: .relu)
    let half = try network.conv(full, outputs: 24, kernel: 3, stride: 2, activation: .relu)
    let narrowed = try network.conv(half, inputChannels: 24, outputs: 16, kernel: 1)
    let resize = ResizeAttributes(
      mode: mode, coordinates: mode == .nearest ? .asymmetric : .halfPixel, nearestRounding: .floor,
      scales: [1, 1, 2, 2], sizes: [-1, -1, 20, 20])
    let b = network.b
    let upsampled = try b.value(.resize(resize), [narrowed], name: "upsample")
    let fused = try b.value(.binary(.add), [full, upsampled], name: "fuse")
    let activated = try b.value(.unary(.relu), [fused], name: "fuse_relu")
    let output = try network.conv(activated, outputs: 16, kernel: 3)
    b.graph.outputs = [output]
    let decoded = try Plan(bytes: try PlanGenerator.generate(b.graph).bytes)
    let resizeStep = try #require(decoded.program.steps.first { $0.kernel == .resize })
    #expect(resizeStep.inputs[0].isChannelsLast && resizeStep.outputs[0].isChannelsLast, "\(mode)")
    // No reorder on either side: the 1x1 convolution writes its input, the Add reads its output.
    let steps = decoded.program.steps
    let producer = steps.first { $0.outputs.contains { $0.index == resizeStep.inputs[0].index } }
    let readers = steps.filter { $0.inputs.contains { $0.index == resizeStep.outputs[0].index } }
    #expect(producer?.kernel == .f32ConvNCHWGeneric && readers.map(\.kernel) == [.binary], "\(mode)")
    let inputs = try SeededInputs.make(for: b.graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(b.graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    for threads in [1, 3] {
      let channelsLast = try PlanExecution.run(b.graph, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(channelsLast, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(mode), \(threads) threads")
      #expect(PlanExecution.mismatch(channelsLast, rowMajor, rtol: 1e-4, atol: 1e-4) == nil, "\(mode)")
    }
  }

  /// IResNet blocks (InsightFace): a 3x3, a PReLU with one slope per channel (the IR's binary PRelu), a 3x3
  /// with the residual. Each PRelu computes channels-last between the convolutions: the plan's only reorder
  /// is the output's, and it matches the reference evaluator and the row-major plan on one thread and three.
  @Test func perChannelPReluStaysChannelsLast() throws {
    var network = NetworkBuilder(seed: 9, channels: 16, size: 19)
    try network.stem(kernel: 3)
    for _ in 0..<2 {
      let block = network.current
      let first = try network.conv(outputs: 16, kernel: 3)
      network.index += 1
      let slope = network.constant(
        (0..<16).map { 0.05 + 0.02 * Float($0) }, [16, 1, 1], name: "slope\(network.index)")
      let activated = try network.b.value(.binary(.prelu), [first, slope], name: "prelu\(network.index)")
      network.current = try network.conv(activated, outputs: 16, kernel: 3, residual: block)
    }
    network.b.graph.outputs = [network.current]
    let graph = network.b.graph
    let decoded = try Plan(bytes: try PlanGenerator.generate(graph).bytes)
    let preluSteps = decoded.program.steps.filter { $0.kernel == .binary }
    #expect(preluSteps.count == 2)
    #expect(preluSteps.allSatisfy { $0.inputs[0].isChannelsLast && $0.outputs[0].isChannelsLast })
    #expect(decoded.program.steps.count { $0.kernel == .f32Reorder } == 1, "only the output is reordered")
    let inputs = try SeededInputs.make(for: graph, seed: 9)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    for threads in [1, 3] {
      let channelsLast = try PlanExecution.run(graph, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(channelsLast, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(threads) threads")
      #expect(PlanExecution.mismatch(channelsLast, rowMajor, rtol: 1e-4, atol: 1e-4) == nil)
    }
  }

  /// A residual that is a constant of the output's shape (a learned position bias added after a convolution,
  /// or after a BatchNorm no convolution absorbed) stays in ONNX layout, so the node that adds it computes
  /// row-major between channels-last neighbours, under the forced layout and the automatic one. Such plans were
  /// compiled channels-last and refused at load ("X, Y and the residual must all be channels-last").
  @Test(arguments: [ActivationLayoutPolicy.automatic, .channelsLast])
  func aConstantResidualIsAddedRowMajor(layout: ActivationLayoutPolicy) throws {
    var network = NetworkBuilder(seed: 13, channels: 64, size: 30)
    try network.stem(kernel: 3)
    try network.basicBlock()
    let (biasValues, scaleValues, shiftValues) = (
      network.random.floats(64 * 15 * 15), network.random.floats(64), network.random.floats(64)
    )
    let positions = network.constant(biasValues.map { 0.5 * $0 }, [1, 64, 15, 15], name: "position_bias")
    let biased = try network.conv(outputs: 64, kernel: 3, activation: .relu, residual: positions)
    let scale = network.constant(scaleValues.map { 1 + 0.2 * $0 }, [64], name: "scale")
    let shift = network.constant(shiftValues.map { 0.1 * $0 }, [64], name: "shift")
    network.current = try network.b.value(
      .scaleShift(axis: 1, epilogue: Epilogue(residual: true, activation: .relu)), [biased, scale, shift, positions],
      name: "affine")
    try network.basicBlock()
    try network.globalPooling()
    network.b.graph.outputs = [network.current]
    let graph = network.b.graph
    let options = CodegenOptions(activationLayout: layout)
    let steps = try Plan(bytes: try PlanGenerator.generate(graph, options: options).bytes).program.steps
    let addsConstant = steps.filter { step in step.inputs.contains { $0.name == "position_bias" } }
    #expect(addsConstant.count == 2 && addsConstant.allSatisfy { !$0.outputs[0].isChannelsLast }, "\(layout)")
    #expect(steps.contains { $0.kernel == .f32ConvNCHWGeneric && $0.outputs[0].isChannelsLast }, "\(layout)")
    let inputs = try SeededInputs.make(for: graph, seed: 13)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    for threads in [1, 3] {
      let actual = try PlanExecution.run(graph, options: options, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(actual, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(layout), \(threads) threads")
    }
  }

  /// A float16 network compiled as `--float16-compute float16` does (no `PromoteFloat16`): its convolutions and
  /// pooling compute in f32 channels-last, the float16 values between them are their f32 results rounded to
  /// float16 in place (`Float16Rounding`: no float16 buffer is left channels-last), and where the region ends on
  /// a float16 value (a per-channel PReLU, which has no float16 channels-last variant, and the graph output) the
  /// value is rounded, reordered and narrowed, since the reorder kernel moves f32. It matches the reference evaluator and the row-major plan to a float16 rounding
  /// step (the f32 sums of two convolution methods may round to neighbouring halves), on one thread and three.
  @Test func float16NetworksComputeChannelsLast() throws {
    let graph = try Self.float16Network()
    let steps = try Plan(bytes: try PlanGenerator.generate(graph).bytes).program.steps
    let convolutions = steps.filter { $0.kernel == .f32ConvNCHWGeneric }
    #expect(convolutions.count == 9 && convolutions.allSatisfy { $0.outputs[0].isChannelsLast })
    #expect(!steps.contains { ($0.inputs + $0.outputs).contains { $0.isChannelsLast && $0.elementType == .f16 } })
    let roundings = steps.filter { $0.kernel == .cast && ($0.inputs + $0.outputs).allSatisfy { $0.elementType == .f32 } }
    #expect(roundings.filter { $0.inputs[0].isChannelsLast && $0.outputs[0].isChannelsLast }.count >= convolutions.count)
    let reorders = steps.filter { $0.kernel == .f32Reorder }
    #expect(reorders.count == 3, "into the PReLU, out of it, and the output")
    let inputs = try SeededInputs.make(for: graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    for threads in [1, 3] {
      let channelsLast = try PlanExecution.run(graph, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(channelsLast, expected, rtol: 2e-3, atol: 1e-3) == nil, "\(threads) threads")
      #expect(PlanExecution.mismatch(channelsLast, rowMajor, rtol: 2e-3, atol: 1e-3) == nil)
    }
  }

  /// The same network with its values kept in float32 (`PromoteFloat16`, the compiler's default): it
  /// compiles to the float32 twin's kernels, the only casts are the image's and the output's (and no reorder
  /// goes through float16), and it matches the reference evaluator on the float16 model within float16's
  /// rounding.
  @Test func float16NetworksPromotedToFloat32CastOnlyAtTheEdges() throws {
    let graph = try Self.float16Network()
    var promoted = graph
    var context = PassContext()
    try PassManager(passes: [PromoteFloat16()], verifyEach: true).run(&promoted, context: &context)
    let steps = try Plan(bytes: try PlanGenerator.generate(promoted).bytes).program.steps
    #expect(steps.filter { $0.kernel == .cast }.count == 2, "the image's and the output's")
    #expect(steps.filter { $0.kernel == .f32Reorder }.count == 1, "the output's: in float32 the PReLU is channels-last")
    let inputs = try SeededInputs.make(for: graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let actual = try PlanExecution.run(promoted, inputs: inputs)
    #expect(PlanExecution.mismatch(actual, expected, rtol: 1e-2, atol: 1e-2) == nil)
  }

  /// A float16 ResNet in small (what onnxconverter-common makes of one): a 7x7 stem, a max pooling, two basic
  /// blocks, a per-channel PReLU, two more blocks.
  static func float16Network() throws -> Graph {
    var network = NetworkBuilder(seed: 5, channels: 16, size: 21, dtype: .float16)
    try network.stem(kernel: 7)
    try network.pool(max: true)
    try network.basicBlock()
    try network.basicBlock()
    let slope = network.constant((0..<16).map { 0.1 + 0.01 * Float($0) }, [16, 1, 1], name: "slope")
    network.current = try network.b.value(.binary(.prelu), [network.current, slope], name: "prelu")
    try network.basicBlock()
    try network.basicBlock()
    network.b.graph.outputs = [network.current]
    return network.b.graph
  }

  @Test(arguments: Array(UInt64(1)...12))
  func randomResidualNetworksMatchTheReference(seed: UInt64) throws {
    let graph = try Self.network(seed: seed)
    let plan = try PlanGenerator.generate(graph)
    let decoded = try Plan(bytes: plan.bytes)
    let kernels = decoded.program.steps.map(\.kernel)
    let stem = try #require(decoded.program.steps.first)
    #expect(
      kernels.first == .f32ConvNCHWGeneric && !stem.inputs[0].isChannelsLast && stem.outputs[0].isChannelsLast,
      "seed \(seed): the stem reads the image row-major and writes channels-last, with no reorder before it")
    #expect(decoded.program.steps.contains { $0.kernel == .f32ConvNCHWGeneric && $0.outputs[0].isChannelsLast })
    let inputs = try SeededInputs.make(for: graph, seed: seed)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let rowMajor = try PlanExecution.run(graph, options: CodegenOptions(activationLayout: .rowMajor), inputs: inputs)
    for threads in [1, 3] {
      let channelsLast = try PlanExecution.run(graph, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(channelsLast, expected, rtol: 1e-4, atol: 1e-4) == nil, "seed \(seed), \(threads) threads")
      #expect(PlanExecution.mismatch(channelsLast, rowMajor, rtol: 1e-4, atol: 1e-4) == nil, "seed \(seed)")
    }
  }
}

