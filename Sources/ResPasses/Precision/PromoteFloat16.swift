import ResIR

/// Keeps a float16 model's values in float32 between ops (the default; `--float16-compute float16` turns it
/// off): every float16 constant becomes its float32 value, every float16 result a float32 one, a `Cast` to
/// float16 a `Cast` to float32; the graph's float16 inputs are cast to float32 on the way in and its float16
/// outputs back on the way out, so callers exchange the tensors the model declares.
///
/// Why: the plan's kernels compute in float32 whatever the model's type, so a float16 model computed as typed
/// rounds every op's result to float16 between them (`--float16-compute float16`: a rounding step after each
/// kernel, `Float16Rounding`; until 2026-12-05 a `cast` step on each side, up to 1.5x the float32 model's
/// time), and lands further from onnxruntime's outputs than computing in float32 does, since onnxruntime on a CPU removes the cast pairs it puts around its float32
/// kernels and OpenVINO's CPU plugin computes float16 models in float32. Kept in float32, the model runs as
/// its float32 twin does, fusions and channels-last regions included. It is a model change (the results
/// differ from a float16-typed evaluation by float16 rounding), so it is recorded as one.
///
/// ## Before
/// ```
/// input %x: f16[1,8]
/// const @w: f16[8,4]
/// %h = MatMul "mm" (%x, @w) : f16[1,4]
/// %y = Relu "relu" (%h) : f16[1,4]
/// ```
/// ## After
/// ```
/// input %x: f16[1,8]
/// const @w.1: f32[8,4]
/// %x.f32 = Cast "x.f32" (%x) {to=f32} : f32[1,8]
/// %h = MatMul "mm" (%x.f32, @w.1) : f32[1,4]
/// %y.f32 = Relu "relu" (%h) : f32[1,4]
/// %y = Cast "y" (%y.f32) {to=f16} : f16[1,4]
/// ```
public struct PromoteFloat16: GraphPass {
  public let name = "promote-float16"

  public init() {}

  public func run(on graph: inout Graph, context: inout PassContext) throws(ModelError) {
    // An output that is an input or a constant stays what it is (float16, no step computes it); one a node
    // computes is cast back.
    let declaredOutputs = graph.outputs
    let producers = graph.producers()
    let halfOutputs = Set(declaredOutputs.filter { graph.type(of: $0).dtype == .float16 && producers[$0] != nil })
    let promotedConstants = promoteConstants(&graph)
    let promotedResults = promoteResults(&graph)
    let castInputs = castInputs(&graph)
    graph.outputs = declaredOutputs
    for output in halfOutputs.sorted(by: { $0.index < $1.index }) { castOutput(output, &graph) }
    guard promotedConstants + promotedResults + castInputs.count + halfOutputs.count > 0 else { return }
    context.recordApplied(
      name, node: graph.name,
      "\(promotedResults) float16 results and \(promotedConstants) constants computed in float32; "
        + "\(castInputs.count) inputs and \(halfOutputs.count) outputs cast at the graph's edge")
    context.recordModelChange(
      "float16 values are computed in float32, as onnxruntime and OpenVINO do on a CPU: results are not rounded "
        + "to float16 between ops (--float16-compute float16 rounds them)")
  }

  /// Whether `graph` has a float16 input, constant or result: a model the pass changes.
  public static func hasFloat16Values(_ graph: Graph) -> Bool {
    graph.inputs.contains { graph.type(of: $0).dtype == .float16 }
      || graph.liveConstants().contains { graph.type(of: $0).dtype == .float16 }
      || graph.nodes.contains { node in node.outputs.contains { graph.type(of: $0).dtype == .float16 } }
  }

  /// Replaces each float16 constant an op reads by its float32 value; returns how many.
  private func promoteConstants(_ graph: inout Graph) -> Int {
    var promoted = 0
    for value in graph.liveConstants() {
      guard let constant = graph.constant(value), constant.dtype == .float16 else { continue }
      graph.replaceAllUses(of: value, with: graph.addConstant(name: graph[value].name, constant.widenedFromFloat16()))
      promoted += 1
    }
    return promoted
  }

  /// Makes every float16 node result float32, and every op that names float16 (a `Cast` to it, a
  /// `ConstantOfShape` filling with it) name float32; returns how many results changed.
  private func promoteResults(_ graph: inout Graph) -> Int {
    var promoted = 0
    for position in graph.nodes.indices {
      let node = graph.nodes[position]
      for output in node.outputs where graph.type(of: output).dtype == .float16 {
        graph.setType(TensorType(.float32, graph.type(of: output).shape), of: output)
        promoted += 1
      }
      switch node.op {
      case .cast(to: .float16):
        _ = graph.updateNode(node.id) { $0.op = .cast(to: .float32) }
      case .constantOfShape(let fill) where fill.dtype == .float16:
        _ = graph.updateNode(node.id) { $0.op = .constantOfShape(ScalarValue(dtype: .float32, value: fill.value)) }
      default:
        break
      }
    }
    return promoted
  }

  /// Puts a `Cast` to float32 after each float16 graph input and makes every reader read it; returns the
  /// inputs cast.
  private func castInputs(_ graph: inout Graph) -> [ValueID] {
    let halfInputs = graph.inputs.filter { graph.type(of: $0).dtype == .float16 }
    for input in halfInputs.reversed() {
      let inputName = graph[input].name
      let cast = graph.makeNode(
        name: inputName + ".f32", op: .cast(to: .float32), inputs: [input],
        results: [(name: inputName + ".f32", type: TensorType(.float32, graph.type(of: input).shape))])
      graph.replaceAllUses(of: input, with: cast.outputs[0])
      graph.insert(cast, before: graph.nodes.first?.id)
    }
    return halfInputs
  }

  /// Makes the graph output `promoted` (float32 now) a `Cast` of it back to float16 that carries the output's
  /// name, wherever it is listed.
  private func castOutput(_ promoted: ValueID, _ graph: inout Graph) {
    let outputName = graph[promoted].name
    graph.rename(promoted, to: outputName + ".f32")
    let cast = graph.makeNode(
      name: outputName, op: .cast(to: .float16), inputs: [promoted],
      results: [(name: outputName, type: TensorType(.float16, graph.type(of: promoted).shape))])
    graph.insert(cast, before: nil)
    for index in graph.outputs.indices where graph.outputs[index] == promoted {
      graph.outputs[index] = cast.outputs[0]
    }
  }
}
