import ResIR

/// `--residual-mismatch zero-pad`: an Add or Sum whose operands cannot broadcast gets ResNet's parameter-free
/// shortcut on its skip path before it is appended (`ResidualMismatch` decides which operand that is and how).
///
/// This happens while importing, not in an optimizer pass, because the IR never holds an Add that does not
/// type: shape inference rejects the node as it is read, and every pass may rely on a graph that verifies.
extension GraphBuilder {
  /// `conversion` with its skip operand replaced by the projection, which is appended to the graph first;
  /// unchanged when the op is not Add or Sum or its operands broadcast. Throws when the operands cannot
  /// broadcast and the projection cannot repair them, saying why.
  mutating func projectingMismatchedSkip(_ conversion: Conversion, node: ONNXNode) throws(ModelError) -> Conversion {
    guard conversion.op == .binary(.add) || conversion.op == .variadic(.sum) else { return conversion }
    let operands = conversion.operands.compactMap { $0 }
    guard operands.count == conversion.operands.count,
      let mismatch = ResidualMismatch(operands: operands.map { graph.type(of: $0) })
    else { return conversion }
    guard case .success(let projection) = mismatch.repair else { throw node.error(mismatch.message) }
    let skip = operands[projection.skipSlot]
    let projected = try appendProjection(projection.shortcut, of: skip, for: node)
    modelChanges.append(
      "node '\(node.name)' (\(node.opType)): inserted Conv '\(graph.nodes.last?.name ?? node.name)' on operand "
        + "\(projection.skipSlot + 1) ('\(graph[skip].name)', \(graph.type(of: skip))): strides "
        + "\(Self.listText(projection.shortcut.strides)), zero-padded identity weight "
        + "\(Self.listText(projection.shortcut.weightDims)), giving \(graph.type(of: projected)) "
        + "(\(ResidualMismatch.option))")
    var repaired = conversion
    repaired.operands[projection.skipSlot] = projected
    return repaired
  }

  /// Appends `<node>.projection`, the shortcut's 1x1 Conv of `skip`, typed; returns its result.
  private mutating func appendProjection(
    _ shortcut: ZeroPadShortcut, of skip: ValueID, for node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let name = "\(node.name).projection"
    guard let weight = shortcut.weight(graph.type(of: skip).dtype) else {
      throw node.error("a projection of a \(graph.type(of: skip).dtype.onnxName) tensor is not a convolution")
    }
    let weightValue = addGeneratedConstant(name + ".weight", weight)
    graph.appendNode(
      name: name, op: .conv(shortcut.attributes), inputs: [skip, weightValue],
      results: [(freshName(name), Self.untyped)])
    try inference.inferNode(at: graph.nodes.count - 1, in: &graph)
    return graph.nodes[graph.nodes.count - 1].outputs[0]
  }

  private static func listText(_ values: [Int]) -> String {
    "[\(values.map(String.init).joined(separator: ","))]"
  }
}
