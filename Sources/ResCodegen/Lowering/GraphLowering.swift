import ResIR
import ResPlan

/// Turns a static-shape graph into plan steps: one pass over the live nodes in order, each op family lowered by
/// its own extension (DenseLowering, ElementwiseLowering...), all of them through the few operations here.
///
/// The graph has been prepared (`StaticGraph`): every dimension is known and what could be computed at compile
/// time has been. Values map to plan tensors: a graph input or node result to an arena tensor, a view result
/// (Reshape and friends) to a second tensor over its source's bytes, a constant to a payload of the constant
/// section in the layout of the kernel that reads it.
struct GraphLowering {
  let graph: Graph
  let liveness: Liveness
  /// The Transposes MatMul steps read or write in place, emitting no step of their own.
  let matMulTransposes: MatMulTransposes
  private(set) var builder = PlanBuilder()
  private(set) var inputBindings: [LoweredPlan.Binding] = []
  private(set) var outputBindings: [LoweredPlan.Binding] = []
  /// Every Concat with its copy steps, for `ConcatAliasing`.
  private(set) var concats: [PendingConcat] = []
  /// The tensor of each graph input, node result and view, by `ValueID.index`.
  private var valueTensors: [TensorID?]
  /// Constants already placed, per element type and layout (a weight shared by two convolutions is stored once).
  private var constantTensors: [ConstantUse: TensorID] = [:]
  /// Run-time conversions already emitted (an f16 activation read by two f32 kernels is cast once).
  private var conversions: [Conversion: TensorID] = [:]
  /// Which nodes compute channels-last, and so which values are stored that way.
  let layouts: ChannelsLastAssignment
  /// Reorder steps already emitted: each tensor's copy in the other layout (made once, however many read it).
  private var reorders: [TensorID: TensorID] = [:]
  /// The Winograd tile constant 3×3 weights are transformed for.
  let winogradTile: WinogradTilePolicy
  /// Which channels-last 3×3s compute as Winograd where the machine decides (`WinogradReach`).
  let winogradReach: WinogradReach

  private struct ConstantUse: Hashable {
    var value: ValueID
    var dtype: DType
    var layout: ConstantLayout
  }

  private struct Conversion: Hashable {
    var source: TensorID
    var dtype: DType
  }

  private init(
    graph: Graph, liveness: Liveness, transposedOperands: Bool, layouts policy: ActivationLayoutPolicy,
    winogradTile: WinogradTilePolicy, winogradReach: WinogradReach
  ) {
    self.graph = graph
    self.winogradTile = winogradTile
    self.winogradReach = winogradReach
    self.liveness = liveness
    matMulTransposes = transposedOperands ? MatMulTransposes(graph, liveness: liveness) : MatMulTransposes()
    layouts = ChannelsLastAssignment(graph, liveness: liveness, policy: policy, winogradReach: winogradReach)
    valueTensors = Array(repeating: nil, count: graph.values.count)
  }

  /// Lowers every live node of `prepared`, binding its inputs and outputs by name; with `transposedOperands`,
  /// MatMuls read and write the Transposes next to them in place (`MatMulTransposes`); the regions
  /// `ChannelsLastAssignment` picks under `layouts` compute channels-last, with reorder steps where their
  /// values meet row-major steps; Winograd weights are transformed for the tiles `winogradTile` picks, on the
  /// 3×3s `winogradReach` gives Winograd.
  static func lower(
    _ prepared: StaticGraph, transposedOperands: Bool, layouts: ActivationLayoutPolicy,
    winogradTile: WinogradTilePolicy = .automatic, winogradReach: WinogradReach = .broad
  ) throws(ModelError) -> LoweredPlan {
    let liveness = Liveness(prepared.graph)
    var lowering = GraphLowering(
      graph: prepared.graph, liveness: liveness, transposedOperands: transposedOperands, layouts: layouts,
      winogradTile: winogradTile, winogradReach: winogradReach)
    try lowering.bindInputs()
    for node in prepared.graph.nodes where lowering.liveness.isLive(node) {
      try lowering.lower(node)
    }
    try lowering.bindOutputs(names: prepared.outputNames)
    return LoweredPlan(
      builder: lowering.builder, inputs: lowering.inputBindings, outputs: lowering.outputBindings,
      concats: lowering.concats)
  }

  // MARK: - Graph inputs and outputs

  /// Every graph input gets an arena tensor, used or not: callers pass every input.
  private mutating func bindInputs() throws(ModelError) {
    for input in graph.inputs {
      let tensor = try resultTensor(input)
      inputBindings.append(LoweredPlan.Binding(name: graph[input].name, tensor: tensor))
    }
  }

  /// Every output is bound to an arena tensor: an output that compile-time evaluation turned into a constant
  /// is copied into one, so callers always read outputs from the arena.
  private mutating func bindOutputs(names: [String]) throws(ModelError) {
    for (output, name) in zip(graph.outputs, names) {
      var tensor = try tensor(of: output, for: "graph output '\(name)'")
      if case .constant = builder[tensor].storage {
        tensor = try copyIntoArena(tensor, name: name)
      }
      if builder[tensor].isChannelsLast {
        tensor = try reordered(tensor, stepName: "output '\(name)'")
      }
      outputBindings.append(LoweredPlan.Binding(name: name, tensor: tensor))
    }
  }

  private mutating func copyIntoArena(_ source: TensorID, name: String) throws(ModelError) -> TensorID {
    let constant = builder[source]
    let target = try builder.activation(name: name, dtype: constant.dtype, dims: constant.dims)
    if !constant.isEmpty {
      builder.append(
        PlanStep(
          name: "output '\(name)'", kernel: .copy, inputs: [source], outputs: [target],
          params: .copy(StridedCopy.contiguous(constant.dims))))
    }
    return target
  }

  // MARK: - Tensors of values

  /// The tensor of operand `slot` of `node`, as it is (for views and data movement).
  mutating func operandTensor(_ node: Node, _ slot: Int) throws(ModelError) -> TensorID {
    guard let value = node.input(slot) else { throw ModelError(node, "operand \(slot) is missing") }
    return try resolve(.value(value), node: node)
  }

  /// The tensor of a non-constant value (or of a constant in ONNX layout).
  private mutating func tensor(of value: ValueID, for reader: String) throws(ModelError) -> TensorID {
    if let constant = graph.constant(value) {
      return constantTensor(value, constant, dtype: constant.dtype, layout: .onnx)
    }
    guard let tensor = valueTensors[value.index] else {
      throw ModelError("\(reader) reads '\(graph[value].name)', which no lowered node produced (a ResCodegen bug)")
    }
    return tensor
  }

  /// The tensor a node writes for its result `value`, created on first use.
  mutating func resultTensor(_ value: ValueID) throws(ModelError) -> TensorID {
    if let existing = valueTensors[value.index] { return existing }
    let tensor = try builder.activation(
      name: graph[value].name, dtype: graph.type(of: value).dtype, dims: dims(of: value),
      channelsLast: layouts.storesChannelsLast(value))
    valueTensors[value.index] = tensor
    return tensor
  }

  /// Makes `value` a view of `source`: no step, the same bytes under `value`'s shape.
  mutating func bindView(_ value: ValueID, to source: TensorID) throws(ModelError) {
    valueTensors[value.index] = builder.view(of: source, name: graph[value].name, dims: try dims(of: value))
  }

  /// A fresh arena tensor for intermediate results a lowering needs (a chain of binary steps, say).
  mutating func temporary(_ name: String, _ dtype: DType, _ dims: [Int]) throws(ModelError) -> TensorID {
    try builder.activation(name: name, dtype: dtype, dims: dims)
  }

  /// A second tensor over a lowering's own tensor, reshaped (a [C] vector seen as [C, 1, 1]).
  mutating func view(of source: TensorID, _ name: String, _ dims: [Int]) -> TensorID {
    builder.view(of: source, name: name, dims: dims)
  }

  /// A constant the lowering computed (BatchNormalization's scale and shift, a default pad value).
  mutating func derivedConstant(_ name: String, _ constant: Constant) -> TensorID {
    builder.constant(name: name, dtype: constant.dtype, dims: constant.dims, bytes: constant.bytes)
  }

  /// The static dimensions of a value (StaticGraph guarantees them for every value a live node touches).
  func dims(of value: ValueID) throws(ModelError) -> [Int] {
    guard let dims = graph.type(of: value).knownDims else {
      throw ModelError("'\(graph[value].name)' has the non-static type \(graph.type(of: value))")
    }
    return dims
  }

  func dtype(of value: ValueID) -> DType { graph.type(of: value).dtype }

  // MARK: - Emitting steps

  /// Appends a step of `kernel` to the plan, preceded by the conversions its operands need and followed by
  /// those its results need. A step whose every output is empty is dropped: there is nothing to compute.
  mutating func emit(
    _ node: Node, _ kernel: KernelID, _ params: Rescompile_Plan_Step.OneOf_Params, inputs: [StepOperand],
    outputs: [StepResult]
  ) throws(ModelError) {
    var inputTensors: [TensorID] = []
    for operand in inputs {
      inputTensors.append(try resolve(operand, node: node))
    }
    var outputTensors: [TensorID] = []
    var castsBack: [(from: TensorID, to: TensorID)] = []
    for result in outputs {
      switch result {
      case .tensor(let tensor):
        outputTensors.append(tensor)
      case .value(let value, let dtype):
        let target = try resultTensor(value)
        guard let dtype, dtype != builder[target].dtype else {
          outputTensors.append(target)
          continue
        }
        // In the target's layout: the kernel writes the layout the node computes in, and a cast keeps it.
        let standIn = try builder.activation(
          name: "\(graph[value].name).\(dtype.rawValue)", dtype: dtype, dims: builder[target].dims,
          channelsLast: builder[target].isChannelsLast)
        outputTensors.append(standIn)
        castsBack.append((standIn, target))
      }
    }
    guard !outputTensors.allSatisfy({ builder[$0].isEmpty }) else { return }
    builder.append(
      PlanStep(name: node.name, kernel: kernel, inputs: inputTensors, outputs: outputTensors, params: params))
    for cast in castsBack {
      builder.append(castStep(node.name, from: cast.from, to: cast.to))
    }
  }

  /// Appends a step a lowering built itself, returning its index in the plan under construction.
  mutating func appendStep(_ step: PlanStep) -> Int {
    builder.append(step)
    return builder.steps.count - 1
  }

  mutating func record(_ concat: PendingConcat) {
    concats.append(concat)
  }

  /// The tensor of a step operand, converted to the element type the kernel needs (a constant also packed
  /// into the layout the kernel reads).
  private mutating func resolve(_ operand: StepOperand, node: Node)
    throws(ModelError) -> TensorID
  {
    switch operand {
    case .tensor(let tensor):
      return tensor
    case .weight(let value, let packing):
      if let constant = graph.constant(value) {
        // A layout that does not describe the weight (an inconsistent model the runtime will refuse with a
        // better message) is not used.
        let elements = constant.dims.reduce(1, *)
        let usable = packing.flatMap { $0.problem(elementCount: elements) == nil ? ConstantLayout.panels($0) : nil }
        return constantTensor(value, constant, dtype: .float32, layout: usable ?? .onnx)
      }
      return try resolve(.float32(value), node: node)
    case .value(let value, let dtype):
      if let constant = graph.constant(value) {
        return constantTensor(value, constant, dtype: dtype ?? constant.dtype, layout: .onnx)
      }
      // Converted first, then reordered: a cast keeps the layout, and the reorder kernel moves f32 only.
      var source = try tensor(of: value, for: "node '\(node.name)' (\(node.op.onnxName))")
      if let dtype, dtype != builder[source].dtype {
        source = try converted(source, to: dtype, stepName: node.name)
      }
      return try inLayout(source, value: value, for: node)
    }
  }

  /// A constant in `dtype` and `layout`, converted and packed at compile time, placed once per combination.
  private mutating func constantTensor(_ value: ValueID, _ constant: Constant, dtype: DType, layout: ConstantLayout)
    -> TensorID
  {
    let use = ConstantUse(value: value, dtype: dtype, layout: layout)
    if let existing = constantTensors[use] { return existing }
    let converted = ConstantConversion.converted(constant, to: dtype)
    let name = dtype == constant.dtype ? graph[value].name : "\(graph[value].name).\(dtype.rawValue)"
    let tensor = builder.constant(name: name, dtype: dtype, dims: converted.dims, bytes: converted.bytes, layout: layout)
    constantTensors[use] = tensor
    return tensor
  }

  /// `source` converted to `dtype` by a cast step (emitted once per source and type).
  private mutating func converted(_ source: TensorID, to dtype: DType, stepName: String) throws(ModelError)
    -> TensorID
  {
    let conversion = Conversion(source: source, dtype: dtype)
    if let existing = conversions[conversion] { return existing }
    let tensor = try builder.activation(
      name: "\(builder[source].name).\(dtype.rawValue)", dtype: dtype, dims: builder[source].dims,
      channelsLast: builder[source].isChannelsLast)
    if !builder[source].isEmpty {
      builder.append(castStep(stepName, from: source, to: tensor))
    }
    conversions[conversion] = tensor
    return tensor
  }

  /// `tensor` (operand `value`) as `node` reads it: channels-last when the node reads that operand
  /// channels-last and the tensor is an activation with a channel axis and spatial axes, row-major
  /// otherwise; reordered when it is stored the other way.
  private mutating func inLayout(_ tensor: TensorID, value: ValueID, for node: Node) throws(ModelError) -> TensorID {
    let stored = builder[tensor]
    let wanted =
      layouts.readsChannelsLast(value, in: node, dims: stored.dims) && stored.arenaRegion != nil
      && (3...5).contains(stored.dims.count)
    guard stored.isChannelsLast != wanted else { return tensor }
    return try reordered(tensor, stepName: node.name)
  }

  /// `source` in the other layout, by an `f32_reorder` step (emitted once per source). A float16 tensor (the
  /// edge of a float16 model's channels-last region) is widened, reordered and rounded back: both casts are
  /// exact, and one reorder kernel serves every float type the regions hold.
  private mutating func reordered(_ source: TensorID, stepName: String) throws(ModelError) -> TensorID {
    if let existing = reorders[source] { return existing }
    let dtype = builder[source].dtype
    let target: TensorID
    switch dtype {
    case .float32:
      target = try reorderStep(source, stepName: stepName)
    case .float16:
      let widened = try converted(source, to: .float32, stepName: stepName)
      target = try converted(try reorderStep(widened, stepName: stepName), to: dtype, stepName: stepName)
    case .float64, .int64, .int32, .int8, .uint8, .bool:
      throw ModelError(
        "'\(builder[source].name)' is \(dtype.onnxName) in a channels-last region, which holds float32 and float16 "
          + "values only (a ResCodegen bug)")
    }
    reorders[source] = target
    return target
  }

  /// An `f32_reorder` step from `source` into a new tensor of the other layout.
  private mutating func reorderStep(_ source: TensorID, stepName: String) throws(ModelError) -> TensorID {
    let tensor = builder[source]
    let suffix = tensor.isChannelsLast ? "nchw" : "nhwc"
    let target = try builder.activation(
      name: "\(tensor.name).\(suffix)", dtype: tensor.dtype, dims: tensor.dims, channelsLast: !tensor.isChannelsLast)
    if !tensor.isEmpty {
      builder.append(
        PlanStep(
          name: stepName, kernel: .f32Reorder, inputs: [source], outputs: [target],
          params: .reorder(Rescompile_Plan_ReorderParams())))
    }
    return target
  }

  private func castStep(_ stepName: String, from source: TensorID, to target: TensorID) -> PlanStep {
    PlanStep(
      name: stepName, kernel: .cast, inputs: [source], outputs: [target], params: .cast(Rescompile_Plan_CastParams()))
  }
}
