import ResIR

/// Which ONNX operators the importer understands, and the single error that lists every one it does not.
///
/// The check runs over the whole graph before anything is converted, so a user sees every missing operator
/// at once instead of fixing them one rebuild at a time, and no partial result is ever produced.
enum OpSupport {
  /// The default-domain opsets the importer reads: every one from 1 (Caffe2 conversions and the first
  /// PyTorch exports, still in model zoos) to the newest in the bundled schema (onnx 1.23.2).
  static let supportedOpsets = 1...28

  /// Each supported operator and the first default-domain opset that defines it. Upsample is listed from 7:
  /// its opset-1 form was experimental, with a different signature, and no runtime implements it.
  static let firstOpset: [String: Int] = [
    "Conv": 1, "BatchNormalization": 1, "Relu": 1, "Clip": 1, "LeakyRelu": 1, "Sigmoid": 1, "Tanh": 1,
    "HardSigmoid": 1, "HardSwish": 14, "Gelu": 20, "Erf": 9, "Add": 1, "Sub": 1, "Mul": 1, "Div": 1, "Pow": 1,
    "Sqrt": 1, "Mod": 10, "Sum": 1, "Max": 1, "Min": 1, "MaxPool": 1, "AveragePool": 1, "GlobalAveragePool": 1,
    "LRN": 1, "Gemm": 1, "MatMul": 1, "Flatten": 1, "Reshape": 1, "Transpose": 1, "Concat": 1, "Split": 1,
    "Einsum": 12,
    "Slice": 1, "Squeeze": 1, "Unsqueeze": 1, "Gather": 1, "Shape": 1, "Expand": 8, "Constant": 1,
    "ConstantOfShape": 9, "Identity": 1, "Dropout": 1, "Pad": 1, "Softmax": 1, "LayerNormalization": 17,
    "ReduceMean": 1, "Cast": 1, "Where": 9, "Equal": 1, "LSTM": 1, "GRU": 1, "RNN": 1, "Not": 1, "Range": 11,
    "ScatterND": 11, "GatherElements": 11, "CumSum": 11, "Trilu": 14, "Less": 1, "LessOrEqual": 12, "Greater": 1,
    "GreaterOrEqual": 12, "IsNaN": 9, "Abs": 1, "Neg": 1, "Exp": 1, "Log": 1,
    "PRelu": 1, "Ceil": 1, "Floor": 1, "Round": 11, "Reciprocal": 1, "Sin": 7, "Cos": 7, "Softplus": 1, "Elu": 1,
    "ReduceSum": 1, "InstanceNormalization": 1, "ReduceSumSquare": 1, "ReduceL1": 1, "ReduceL2": 1,
    "Resize": 10, "Upsample": 7, "ReduceMax": 1, "ReduceMin": 1, "ReduceProd": 1,
    "ArgMax": 1, "ArgMin": 1, "ImageScaler": 1, "Selu": 1, "Celu": 12, "Softsign": 1, "ThresholdedRelu": 10,
    "Mish": 18, "Sign": 9, "GlobalMaxPool": 1, "LogSoftmax": 1, "Mean": 1, "Size": 1, "Tile": 6,
    "DepthToSpace": 1, "SpaceToDepth": 1, "TopK": 1,
    "ConvTranspose": 1, "GroupNormalization": 18, "ReduceLogSum": 1, "ReduceLogSumExp": 1,
    "RMSNormalization": 23, "Attention": 23, "GatherND": 11, "Col2Im": 18, "OneHot": 9,
    "ScatterElements": 11, "Scatter": 9, "RotaryEmbedding": 23, "Hardmax": 1, "Shrink": 9,
    "MeanVarianceNormalization": 9, "QuantizeLinear": 10, "DequantizeLinear": 10, "DynamicQuantizeLinear": 11,
    "MatMulInteger": 10, "ConvInteger": 10, "QLinearMatMul": 10, "QLinearConv": 10,
    "Swish": 24, "IsInf": 10, "LpNormalization": 1, "And": 1, "Or": 1, "Xor": 1, "CastLike": 15,
    "Loop": 1, "If": 1, "Scan": 9, "ReverseSequence": 10, "SequenceEmpty": 11, "SequenceConstruct": 11, "SequenceInsert": 11,
    "SequenceErase": 11, "SequenceAt": 11, "SequenceLength": 11, "ConcatFromSequence": 11, "SplitToSequence": 11,
  ]

  /// The graph-valued attributes of the control-flow operators the importer unrolls or selects
  /// (`GraphBuilder+Loop`, `+Scan`, `+If`). A subgraph on any other operator (SequenceMap) is not supported.
  static let subgraphAttributes: [String: Set<String>] = [
    "Loop": ["body"], "Scan": ["body"], "If": ["then_branch", "else_branch"],
  ]

  /// The last opset of operators that ONNX has since removed (ImageScaler was experimental; Scatter became
  /// ScatterElements).
  static let lastOpset: [String: Int] = ["ImageScaler": 9, "Scatter": 10]

  /// Whether `domain` is onnxruntime's contrib domain, of which the quantized operators its quantizer writes
  /// are read (`GraphBuilder.microsoftQuantizedOperators`).
  static func isMicrosoftDomain(_ domain: String) -> Bool {
    domain == "com.microsoft"
  }

  /// Whether `domain` names the default ONNX operator set.
  static func isDefaultDomain(_ domain: String) -> Bool {
    domain.isEmpty || domain == "ai.onnx"
  }

  /// The default-domain opset a model imports, checked against the supported range. A model without one
  /// (IR version < 3) implicitly uses opset 1.
  static func defaultOpset(of model: Onnx_ModelProto) throws(ModelError) -> Int {
    let declared = model.opsetImport.first { isDefaultDomain($0.domain) }
    let opset = declared.map { Int($0.version) } ?? 1
    guard supportedOpsets.contains(opset) else {
      throw ModelError(
        "the model uses opset \(opset) of the default ONNX domain; supported opsets are "
          + "\(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound)")
    }
    return opset
  }

  /// Throws one error listing every unsupported (domain, op_type, opset) and the nodes that use it.
  ///
  /// A node is unsupported when its domain is neither ONNX's nor (for the quantized operators onnxruntime's
  /// quantizer writes) `com.microsoft`, its operator is not in `firstOpset`, is newer than
  /// the model's opset or was removed before it, or it carries a subgraph other than Loop's and If's. The
  /// nodes of those subgraphs are checked too, named `<node>/<body node>`.
  static func check(
    _ nodes: [Onnx_NodeProto], nodeNames: [String], model: Onnx_ModelProto, opset: Int
  ) throws(ModelError) {
    var users: [Unsupported: [String]] = [:]
    collectUnsupported(nodes, nodeNames: nodeNames, model: model, opset: opset, into: &users)
    guard !users.isEmpty else { return }
    let entries = users.keys.sorted().map { key in
      "\(key) (node\(users[key, default: []].count == 1 ? "" : "s") "
        + users[key, default: []].map { "'\($0)'" }.joined(separator: ", ") + ")"
    }
    throw ModelError("unsupported operators: " + entries.joined(separator: "; "))
  }

  private static func collectUnsupported(
    _ nodes: [Onnx_NodeProto], nodeNames: [String], model: Onnx_ModelProto, opset: Int,
    into users: inout [Unsupported: [String]]
  ) {
    for (node, name) in zip(nodes, nodeNames) {
      guard isSupported(node, opset: opset) else {
        let key = Unsupported(
          domain: isDefaultDomain(node.domain) ? "" : node.domain, opType: node.opType,
          opset: opsetVersion(of: node.domain, in: model))
        users[key, default: []].append(name)
        continue
      }
      for graph in Subgraphs.of(node) {
        let inner = NodeNames.assign(graph.node).map { "\(name)/\($0)" }
        collectUnsupported(graph.node, nodeNames: inner, model: model, opset: opset, into: &users)
      }
    }
  }

  private static func isSupported(_ node: Onnx_NodeProto, opset: Int) -> Bool {
    if isMicrosoftDomain(node.domain) {
      return GraphBuilder.microsoftQuantizedOperators.contains(node.opType)
        && !node.attribute.contains { $0.hasG || !$0.graphs.isEmpty }
    }
    guard isDefaultDomain(node.domain), let first = firstOpset[node.opType], first <= opset,
      opset <= lastOpset[node.opType, default: opset]
    else { return false }
    let allowed = subgraphAttributes[node.opType] ?? []
    return !node.attribute.contains { ($0.hasG || !$0.graphs.isEmpty) && !allowed.contains($0.name) }
  }

  private static func opsetVersion(of domain: String, in model: Onnx_ModelProto) -> Int? {
    if isDefaultDomain(domain) { return model.opsetImport.first { isDefaultDomain($0.domain) }.map { Int($0.version) } }
    return model.opsetImport.first { $0.domain == domain }.map { Int($0.version) }
  }

  private struct Unsupported: Hashable, Comparable, CustomStringConvertible {
    var domain: String
    var opType: String
    var opset: Int?

    static func < (a: Unsupported, b: Unsupported) -> Bool {
      (a.domain, a.opType, a.opset ?? -1) < (b.domain, b.opType, b.opset ?? -1)
    }

    var description: String {
      let domainText = domain.isEmpty ? "" : "\(domain)::"
      var opsetText = opset.map { "opset \($0)" } ?? "no opset imported"
      if domain.isEmpty, let first = firstOpset[opType], first > (opset ?? 0) {
        opsetText += "; defined from opset \(first)"
      }
      if domain.isEmpty, let last = lastOpset[opType], last < (opset ?? 0) {
        opsetText += "; removed after opset \(last)"
      }
      return "\(domainText)\(opType) [\(opsetText)]"
    }
  }
}
