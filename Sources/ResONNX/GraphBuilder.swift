import ResIR

/// Builds the IR graph of a decoded ONNX model.
///
/// Inputs and initializers first, then every node in topological order. Each node is converted to an `Op`,
/// appended, and typed by shape inference before the next one is read: conversions need their operands'
/// ranks to make negative axes non-negative and to fill in defaults (a Conv's kernel shape from its weight).
/// Declared types (value_info, graph outputs) are merged into the inferred ones as soon as a value exists,
/// so a symbolic dimension the exporter knew about reaches the nodes that follow.
struct GraphBuilder {
  var graph: Graph
  var inference = ShapeInference()
  let opset: Int
  let decoder: TensorDecoder
  /// The IR value of each ONNX tensor defined so far.
  var values: [String: ValueID] = [:]
  /// The elements of each ONNX sequence defined so far (`TensorSequence`): sequences never reach the IR.
  var sequences: [String: TensorSequence] = [:]
  /// Every tensor name the model mentions; names the importer makes up avoid them, so each ONNX name reaches
  /// the IR unchanged.
  let modelNames: Set<String>
  var generatedNames: Set<String> = []
  /// Types the model declares for its graph outputs: the model's interface, so one that contradicts shape
  /// inference is an error.
  let declaredOutputTypes: [String: TensorType]
  /// Types the model annotates other tensors with (value_info): hints that may make a dim more specific, but
  /// one that contradicts shape inference is set aside (`ignoredDeclarations`), as onnxruntime does.
  let annotatedTypes: [String: TensorType]
  /// Tensors some node reads or the graph outputs: an optional output that nothing uses may be dropped. A
  /// subgraph's reads count, and so do the names a subgraph's values get in each copy of it (`Subgraph`).
  var consumedNames: Set<String>
  /// Nodes imported from subgraphs so far, each copy of a body counted (`Subgraph.maximumInlinedNodes`).
  var inlinedNodeCount = 0
  /// For the result of each Identity node, its input: a constant seen through Identity still counts as one.
  var identitySources: [ValueID: ValueID] = [:]
  /// What to do with an Add or Sum whose operands cannot broadcast (`ONNXImportOptions.residualMismatch`).
  let residualMismatch: ResidualMismatchPolicy
  /// Every change to what the model computes, one line each, for the user (`ImportedModel.modelChanges`).
  var modelChanges: [String] = []
  /// The value_info types that contradicted shape inference and were ignored, one line each, for the user
  /// (`ImportedModel.ignoredDeclarations`).
  var ignoredDeclarations: [String] = []
  /// How each Loop and If outside every subgraph was resolved, one line each (`ImportedModel.controlFlow`).
  var controlFlow: [String] = []
  /// How many subgraph copies are being imported around the current node: 0 in the main graph.
  var subgraphDepth = 0
  /// The main graph's producers and readers, for `importFusedQDQ`.
  var qdqIndex: QDQIndex?
  /// The results of QuantizeLinear nodes already imported with the Conv or MatMul they quantize
  /// (`importFusedQDQ`): those nodes import as nothing.
  var fusedQuantizations: Set<String> = []

  /// A stand-in result type until shape inference types the node.
  static let untyped = TensorType(.float32, [])

  static func build(
    _ loaded: LoadedModel, opset: Int, options: ONNXImportOptions
  ) throws(ModelError) -> (
    graph: Graph, modelChanges: [String], ignoredDeclarations: [String], controlFlow: [String],
    externalDataFiles: [String]
  ) {
    let proto = loaded.model.graph
    if let output = proto.output.first(where: Self.declaresNonTensor) {
      throw nonTensorOutput(output.name)
    }
    let nodeNames = NodeNames.assign(proto.node)
    try OpSupport.check(proto.node, nodeNames: nodeNames, model: loaded.model, opset: opset)
    guard proto.sparseInitializer.isEmpty else { throw ModelError("sparse initializers are not supported") }
    var builder = GraphBuilder(loaded, opset: opset, residualMismatch: options.residualMismatch)
    builder.qdqIndex = QDQIndex(proto)
    try builder.addInputsAndInitializers(
      proto, rawData: loaded.rawData, bindings: options.inputBindings, dimensions: options.dimensionBindings)
    let available = Set(proto.input.map(\.name)).union(proto.initializer.map(\.name))
    let order = try TopologicalOrder.sort(proto.node, names: nodeNames, available: available)
    for position in order {
      try builder.importNode(proto.node[position], name: nodeNames[position])
    }
    try builder.setOutputs(proto.output)
    return (
      builder.graph, builder.modelChanges, builder.ignoredDeclarations, builder.controlFlow,
      builder.decoder.externalData.filePaths
    )
  }

  private init(_ loaded: LoadedModel, opset: Int, residualMismatch: ResidualMismatchPolicy) {
    let proto = loaded.model.graph
    graph = Graph(name: proto.name.isEmpty ? "main" : proto.name)
    self.opset = opset
    self.residualMismatch = residualMismatch
    decoder = TensorDecoder(file: loaded.file, externalData: ExternalData(baseDirectory: loaded.baseDirectory))
    var names = Set(proto.input.map(\.name))
    names.formUnion(proto.initializer.map(\.name))
    names.formUnion(proto.output.map(\.name))
    names.formUnion(proto.valueInfo.map(\.name))
    var consumed = Set(proto.output.map(\.name)).union(Subgraphs.readsInside(proto))
    for node in proto.node {
      names.formUnion(node.output)
      names.formUnion(node.input)
      consumed.formUnion(node.input)
    }
    names.formUnion(Subgraphs.namesInside(proto))
    modelNames = names
    consumedNames = consumed
    declaredOutputTypes = Self.declaredTypes(proto.output)
    annotatedTypes = Self.declaredTypes(proto.valueInfo)
  }

  // MARK: - Inputs and initializers

  /// Graph inputs become IR inputs, except those bound by the caller and those sharing an initializer's name
  /// (IR < 4 lists every initializer as an input; later IR versions allow it for overridable defaults): both
  /// become constants, so constant folding and fusion see the weights.
  private mutating func addInputsAndInitializers(
    _ proto: Onnx_GraphProto, rawData: [Range<Int>?], bindings: [String: Constant], dimensions: [String: Int]
  ) throws(ModelError) {
    if let name = dimensions.keys.sorted().first(where: { dimensions[$0, default: 0] < 1 }) {
      throw ModelError("the binding \(name)=\(dimensions[name] ?? 0) is not a positive dimension")
    }
    var inputSymbols = Set<String>()
    var initializers: [String: Constant] = [:]
    var initializerOrder: [String] = []
    for (index, tensor) in proto.initializer.enumerated() {
      let name = tensor.name
      guard !name.isEmpty else { throw ModelError("initializer #\(index) has no name") }
      guard initializers[name] == nil else { throw ModelError("initializer '\(name)' is defined twice") }
      initializers[name] = try decoder.constant(
        from: tensor, rawData: rawData[index], error: { ModelError("initializer '\(name)': \($0)") })
      initializerOrder.append(name)
    }
    for info in proto.input {
      let name = info.name
      guard !name.isEmpty else { throw ModelError("a graph input has no name") }
      guard values[name] == nil else { throw ModelError("graph input '\(name)' is listed twice") }
      if let bound = bindings[name] {
        try Self.checkBinding(bound, for: info)
        values[name] = graph.addConstant(name: name, bound)
      } else if let constant = initializers[name] {
        values[name] = graph.addConstant(name: name, constant)
      } else {
        let declared = try DeclaredType.ofGraphInput(info)
        for case .symbol(let symbol) in declared.shape { inputSymbols.insert(symbol) }
        values[name] = graph.addInput(name: name, type: Self.binding(declared, to: dimensions))
      }
    }
    if let unused = dimensions.keys.sorted().first(where: { !inputSymbols.contains($0) }) {
      let known =
        inputSymbols.isEmpty
        ? "the inputs have no symbolic dimensions" : "its symbolic dimensions: \(inputSymbols.sorted().joined(separator: ", "))"
      throw ModelError("no graph input has a dimension named '\(unused)' (\(known))")
    }
    if let unknown = bindings.keys.sorted().first(where: { values[$0] == nil }) {
      throw ModelError("input binding '\(unknown)' names no graph input")
    }
    for name in initializerOrder where values[name] == nil {
      if let constant = initializers[name] { values[name] = graph.addConstant(name: name, constant) }
    }
  }

  /// `type` with each symbolic dimension that `dimensions` gives a size replaced by that size.
  private static func binding(_ type: TensorType, to dimensions: [String: Int]) -> TensorType {
    guard !dimensions.isEmpty else { return type }
    let shape = type.shape.map { dim -> Dim in
      guard case .symbol(let symbol) = dim, let size = dimensions[symbol] else { return dim }
      return .known(size)
    }
    return TensorType(type.dtype, shape)
  }

  /// A bound constant must fit the input it replaces: same element type and rank, equal known dimensions.
  private static func checkBinding(_ constant: Constant, for info: Onnx_ValueInfoProto) throws(ModelError) {
    guard let declared = DeclaredType.of(info) else { return }
    let fits =
      declared.dtype == constant.dtype && declared.rank == constant.dims.count
      && zip(declared.shape, constant.dims).allSatisfy { $0.value == nil || $0.value == $1 }
    guard fits else {
      throw ModelError("input binding '\(info.name)' has type \(constant.type), but the input is declared \(declared)")
    }
  }

  // MARK: - Nodes

  mutating func importNode(_ proto: Onnx_NodeProto, name: String) throws(ModelError) {
    let attributes = try NodeAttributes(proto, name: name)
    if proto.opType == "Constant" {
      try importConstantNode(proto, attributes: attributes)
      return
    }
    if proto.opType == "QuantizeLinear", subgraphDepth == 0, let output = proto.output.first,
      fusedQuantizations.contains(output)
    {
      return
    }
    let node = ONNXNode(
      proto: proto, name: name, attributes: attributes, operands: try operands(of: proto, name: name), opset: opset)
    if try importFusedQDQ(node) { return }
    switch proto.opType {
    case "Loop": return try importLoop(node)
    case "If": return try importIf(node)
    case "Scan": return try importScan(node)
    case _ where try importSequenceResult(node): return
    default: break
    }
    var conversion = try convert(node)
    if residualMismatch == .zeroPad { conversion = try projectingMismatchedSkip(conversion, node: node) }
    let inputs = Self.trimmingAbsentTail(conversion.operands)
    try Self.checkArity(conversion.op, inputs, node)
    let resultNames = try resultNames(of: node, conversion: conversion)
    graph.appendNode(
      name: name, op: conversion.op, inputs: inputs, results: resultNames.map { ($0, Self.untyped) })
    try inference.inferNode(at: graph.nodes.count - 1, in: &graph)
    let outputs = graph.nodes[graph.nodes.count - 1].outputs
    for (slot, output) in outputs.enumerated() {
      guard let onnxName = node.outputName(slot) else { continue }
      values[onnxName] = output
      try applyDeclaredType(of: onnxName, to: output, node: node)
    }
    for (slot, output) in conversion.extraOutputs.sorted(by: { $0.key < $1.key }) {
      guard let onnxName = node.outputName(slot) else { continue }
      values[onnxName] = output
      try applyDeclaredType(of: onnxName, to: output, node: node)
    }
    if case .identity = conversion.op, let source = inputs.first ?? nil, let result = outputs.first {
      identitySources[result] = source
    }
  }

  private mutating func importConstantNode(_ proto: Onnx_NodeProto, attributes: NodeAttributes) throws(ModelError) {
    guard proto.input.allSatisfy(\.isEmpty) else { throw attributes.error("a Constant node takes no inputs") }
    guard proto.output.count == 1, let output = proto.output.first, !output.isEmpty else {
      throw attributes.error("a Constant node has exactly one output")
    }
    let constant = try ConstantNode.constant(attributes: attributes, decoder: decoder)
    values[output] = graph.addConstant(name: output, constant)
  }

  /// The IR value of each input; nil for an absent one, and for a sequence where the operator takes one
  /// (`SequenceOperators.takesSequences`), whose conversion reads it from `sequences`.
  private func operands(of proto: Onnx_NodeProto, name: String) throws(ModelError) -> [ValueID?] {
    var operands: [ValueID?] = []
    for input in proto.input {
      if input.isEmpty {
        operands.append(nil)
        continue
      }
      guard let value = values[input] else {
        guard sequences[input] != nil else {
          throw ModelError(node: name, opType: proto.opType, "input '\(input)' is not defined")
        }
        guard SequenceOperators.takesSequences(proto.opType) else {
          throw ModelError(
            node: name, opType: proto.opType,
            "input '\(input)' is a sequence; only Loop, If, Identity and the sequence operators take one")
        }
        operands.append(nil)
        continue
      }
      operands.append(value)
    }
    return operands
  }

  /// Absent trailing operands are dropped, so the old and new forms of an op give identical nodes.
  static func trimmingAbsentTail(_ operands: [ValueID?]) -> [ValueID?] {
    var trimmed = operands
    while let last = trimmed.last, last == nil { trimmed.removeLast() }
    return trimmed
  }

  static func checkArity(_ op: Op, _ inputs: [ValueID?], _ node: ONNXNode) throws(ModelError) {
    let (required, maximum) = op.operandArity
    if let maximum, inputs.count > maximum {
      throw node.error("has \(inputs.count) inputs, at most \(maximum) expected")
    }
    if let missing = (0..<required).first(where: { $0 >= inputs.count || inputs[$0] == nil }) {
      throw node.error("input #\(missing) is required but missing")
    }
  }

  /// The IR names of the node's results: the ONNX output names, or made-up names for results ONNX leaves
  /// unnamed. An ONNX output beyond what the IR op produces may only be listed if nothing reads it (or the
  /// conversion produced it itself).
  private mutating func resultNames(of node: ONNXNode, conversion: Conversion) throws(ModelError) -> [String] {
    let op = conversion.op
    for (slot, name) in node.proto.output.enumerated()
    where slot >= op.resultCount && consumedNames.contains(name) && conversion.extraOutputs[slot] == nil {
      throw node.error("output '\(name)' (#\(slot)) is not supported: the op produces \(op.resultCount) result(s)")
    }
    return (0..<op.resultCount).map { slot in node.outputName(slot) ?? freshName("\(node.name)_output\(slot)") }
  }

  /// A graph output that is a sequence (or map, or optional): refused before any node is read.
  static func nonTensorOutput(_ name: String) -> ModelError {
    ModelError("graph output '\(name)' is not a tensor (sequences, maps and optionals are not supported)")
  }

  /// Whether `info` declares a type other than a tensor (a sequence, map or optional).
  private static func declaresNonTensor(_ info: Onnx_ValueInfoProto) -> Bool {
    guard let value = info.type.value else { return false }
    if case .tensorType = value { return false }
    return true
  }

  /// The usable declared type of each entry, by name (a later entry of a name wins).
  private static func declaredTypes(_ infos: [Onnx_ValueInfoProto]) -> [String: TensorType] {
    var types: [String: TensorType] = [:]
    for info in infos {
      if let type = DeclaredType.of(info) { types[info.name] = type }
    }
    return types
  }

  /// Merges the type the model declares for `name` into the inferred one. A graph output's declaration must
  /// agree; a value_info annotation that does not is ignored and listed: exporters write wrong ones (jax2onnx
  /// declares a channels-last shape on the NCHW result of a Conv it wrapped in Transposes), onnxruntime runs
  /// such models with a warning, and the computation never depended on the annotation.
  mutating func applyDeclaredType(of name: String, to value: ValueID, node: ONNXNode) throws(ModelError) {
    let inferred = graph.type(of: value)
    if let declared = declaredOutputTypes[name] {
      do {
        graph.setType(try inferred.reconciled(withDeclared: declared), of: value)
      } catch let failure {
        throw node.error("output '\(name)': \(failure.message)")
      }
    } else if let declared = annotatedTypes[name] {
      do {
        graph.setType(try inferred.reconciled(withDeclared: declared), of: value)
      } catch let failure {
        ignoredDeclarations.append(
          "node '\(node.name)' (\(node.opType)): value_info of '\(name)' ignored: \(failure.message)")
      }
    }
  }

  // MARK: - Outputs

  private mutating func setOutputs(_ outputs: [Onnx_ValueInfoProto]) throws(ModelError) {
    // A plan of nothing would compile and run, and every program loading it would have nothing to read.
    guard !outputs.isEmpty else { throw ModelError("the graph has no outputs: there is nothing to compute") }
    for info in outputs {
      guard let value = values[info.name] else {
        guard sequences[info.name] == nil else { throw Self.nonTensorOutput(info.name) }
        throw ModelError("graph output '\(info.name)' is not defined")
      }
      graph.outputs.append(value)
    }
  }

  // MARK: - Helpers for conversions

  /// A name for a value the model does not name (an unlisted optional result, a constant made from an old
  /// attribute form), distinct from every name the model uses.
  mutating func freshName(_ base: String) -> String {
    var candidate = base
    var suffix = 1
    while modelNames.contains(candidate) || generatedNames.contains(candidate) {
      candidate = "\(base)_\(suffix)"
      suffix += 1
    }
    generatedNames.insert(candidate)
    return candidate
  }

  /// Appends `conversion` as a node of one result whose name, and its result's, is `base` made unique, and
  /// types it: for conversions that become several IR nodes (Einsum, IsNaN), all but the last appended here.
  mutating func appendTyped(_ conversion: Conversion, named base: String) throws(ModelError) -> ValueID {
    let name = freshName(base)
    graph.appendNode(name: name, op: conversion.op, inputs: conversion.operands, results: [(name, Self.untyped)])
    try inference.inferNode(at: graph.nodes.count - 1, in: &graph)
    return graph.nodes[graph.nodes.count - 1].outputs[0]
  }

  /// `value` again, under the ONNX output name of `slot` (an Identity node), for `Conversion.extraOutputs`;
  /// nil when the node does not name that output.
  mutating func exposed(_ value: ValueID, asOutput slot: Int, of node: ONNXNode) throws(ModelError) -> ValueID? {
    guard let name = node.outputName(slot) else { return nil }
    graph.appendNode(
      name: freshName("\(node.name).output\(slot)"), op: .identity, inputs: [value], results: [(name, Self.untyped)])
    try inference.inferNode(at: graph.nodes.count - 1, in: &graph)
    return graph.nodes[graph.nodes.count - 1].outputs[0]
  }

  /// One node of a conversion that becomes several (`appendTyped`), named `<node>.<suffix>`.
  mutating func step(
    _ op: Op, _ inputs: [ValueID?], _ suffix: String, of node: ONNXNode
  ) throws(ModelError) -> ValueID {
    try appendTyped(Conversion(op, inputs), named: "\(node.name).\(suffix)")
  }

  /// Adds a constant the importer creates itself (e.g. Clip's bounds from opset < 11 attributes).
  mutating func addGeneratedConstant(_ base: String, _ constant: Constant) -> ValueID {
    graph.addConstant(name: freshName(base), constant)
  }
}
