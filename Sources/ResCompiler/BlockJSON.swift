import ResIR

/// `--dump blocks --dump-format json`: the structure `--dump blocks` draws, for scripts.
///
/// ```
/// {"graph": "main_graph", "counts": "steps", "model_changes": [],
///  "units": [{"label": "blocks.1", "kind": "block", "text": "conv1x1+relu → … ⊕ identity → relu", "steps": 3,
///             "nodes": [...], "leading": [...], "main_path": [...],
///             "join": {"node": "...", "kind": "epilogue", "on_skip": false},
///             "skips": [{"kind": "identity"}, {"kind": "path", "nodes": [...]},
///                       {"kind": "value", "value": "...", "unit": "blocks.0"}],
///             "gate": [], "trailing": [], "beside_main_path": 0}, ...]}
/// ```
/// Nodes are named as in the graph dumps; `text` is the unit's line of the text form; `steps` is the plan
/// steps of the unit's nodes (`counts` says `steps`) or, when no plan was generated, the node count
/// (`counts`: `nodes`). Segments (units that are no block) have only label, kind, text, steps and nodes.
public enum BlockJSON {
  public static func render(_ graph: Graph, stepCounts: [String: Int]? = nil, modelChanges: [String] = []) -> String {
    let structure = ResidualBlocks(graph)
    let context = BlockRendering.Context(graph: graph, structure: structure)
    let units = structure.units.map { unit($0, context: context, stepCounts: stepCounts) }
    return JSONValue.object([
      .init("graph", .string(graph.name)),
      .init("counts", .string(stepCounts == nil ? "nodes" : "steps")),
      .init("model_changes", .array(modelChanges.map(JSONValue.string))),
      .init("units", .array(units)),
    ]).rendered()
  }

  private static func unit(
    _ unit: ResidualBlocks.Unit, context: BlockRendering.Context, stepCounts: [String: Int]?
  ) -> JSONValue {
    let names = { (ids: [NodeID]) in JSONValue.array(ids.map { .string(context.node($0)?.name ?? "?") }) }
    var members: [JSONValue.Member] = [
      .init("label", .string(unit.label)),
      .init("kind", .string(unit.isBlock ? "block" : "segment")),
      .init("text", .string(context.chain(of: unit))),
      .init("steps", .int(context.steps(of: unit, stepCounts) ?? unit.nodes.count)),
      .init("nodes", names(unit.nodes)),
    ]
    guard case .block(let block) = unit else { return .object(members) }
    members += [
      .init("leading", names(block.leading)),
      .init("main_path", names(block.mainPath)),
      .init(
        "join",
        .object([
          .init("node", .string(context.node(block.join)?.name ?? "?")),
          .init("kind", .string(block.joinKind.rawValue)),
          .init("on_skip", .bool(block.joinIsOnSkip)),
        ])),
      .init("skips", .array(block.skips.map { skip($0, context: context, names: names) })),
      .init("gate", names(block.gate)),
      .init("trailing", names(block.trailing)),
      .init("beside_main_path", .int(block.sideNodeCount)),
    ]
    return .object(members)
  }

  private static func skip(
    _ skip: ResidualBlock.Skip, context: BlockRendering.Context, names: ([NodeID]) -> JSONValue
  ) -> JSONValue {
    switch skip {
    case .identity: return .object([.init("kind", .string("identity"))])
    case .path(let nodes): return .object([.init("kind", .string("path")), .init("nodes", names(nodes))])
    case .value(let value):
      var members: [JSONValue.Member] = [
        .init("kind", .string("value")), .init("value", .string(context.graph[value].name)),
      ]
      if let unit = context.structure.unit(producing: value) { members.append(.init("unit", .string(unit.label))) }
      return .object(members)
    }
  }
}
