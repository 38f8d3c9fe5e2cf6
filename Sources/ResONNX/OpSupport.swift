import ResIR

/// Which ONNX operators the importer understands, and the single error that lists every one it does not.
///
/// The check runs over the whole graph before anything is converted, so a user sees every missing operator
/// at once instead of fixing them one rebuild at a time, and no partial result is ever produced.
enum OpSupport {
  /// The default-domain opsets the importer reads: 7 (the oldest still produced by maintained exporters)
  /// to the newest in the bundled schema (onnx 1.23.2).
  static let supportedOpsets = 7...28

  /// Each supported operator and the first default-domain opset that defines it. Operators older than opset 7
  /// are listed as 7: the importer does not read earlier opsets at all.
  static let firstOpset: [String: Int] = [
    "Conv": 7, "BatchNormalization": 7, "Relu": 7, "Clip": 7, "LeakyRelu": 7, "Sigmoid": 7, "Tanh": 7,
    "HardSigmoid": 7, "HardSwish": 14, "Gelu": 20, "Erf": 9, "Add": 7, "Sub": 7, "Mul": 7, "Div": 7, "Pow": 7,
    "Sqrt": 7, "Mod": 10, "Sum": 7, "Max": 7, "Min": 7, "MaxPool": 7, "AveragePool": 7, "GlobalAveragePool": 7,
    "LRN": 7, "Gemm": 7, "MatMul": 7, "Flatten": 7, "Reshape": 7, "Transpose": 7, "Concat": 7, "Split": 7,
    "Einsum": 12,
    "Slice": 7, "Squeeze": 7, "Unsqueeze": 7, "Gather": 7, "Shape": 7, "Expand": 8, "Constant": 7,
    "ConstantOfShape": 9, "Identity": 7, "Dropout": 7, "Pad": 7, "Softmax": 7, "LayerNormalization": 17,
    "ReduceMean": 7, "Cast": 7, "Where": 9, "Equal": 7, "LSTM": 7, "GRU": 7, "Not": 7, "Range": 11,
    "ScatterND": 11, "GatherElements": 11, "CumSum": 11, "Trilu": 14, "Less": 7, "LessOrEqual": 12, "Greater": 7,
    "GreaterOrEqual": 12, "IsNaN": 9, "Abs": 7, "Neg": 7, "Exp": 7, "Log": 7,
    "PRelu": 7, "Ceil": 7, "Floor": 7, "Round": 11, "Reciprocal": 7, "Sin": 7, "Cos": 7, "Softplus": 7, "Elu": 7,
    "ReduceSum": 7, "InstanceNormalization": 7, "ReduceSumSquare": 7, "ReduceL1": 7, "ReduceL2": 7,
    "Resize": 10, "Upsample": 7, "ReduceMax": 7, "ReduceMin": 7, "ReduceProd": 7,
    "ArgMax": 7, "ArgMin": 7, "TopK": 7,
  ]

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
  /// A node is unsupported when its domain is not ONNX's, its operator is not in `firstOpset` or is newer than
  /// the model's opset, or it carries a subgraph (control flow such as If and Loop is out of scope).
  static func check(
    _ nodes: [Onnx_NodeProto], nodeNames: [String], model: Onnx_ModelProto, opset: Int
  ) throws(ModelError) {
    var users: [Unsupported: [String]] = [:]
    for (node, name) in zip(nodes, nodeNames) where !isSupported(node, opset: opset) {
      let key = Unsupported(
        domain: isDefaultDomain(node.domain) ? "" : node.domain, opType: node.opType,
        opset: opsetVersion(of: node.domain, in: model))
      users[key, default: []].append(name)
    }
    guard !users.isEmpty else { return }
    let entries = users.keys.sorted().map { key in
      "\(key) (node\(users[key, default: []].count == 1 ? "" : "s") "
        + users[key, default: []].map { "'\($0)'" }.joined(separator: ", ") + ")"
    }
    throw ModelError("unsupported operators: " + entries.joined(separator: "; "))
  }

  private static func isSupported(_ node: Onnx_NodeProto, opset: Int) -> Bool {
    guard isDefaultDomain(node.domain), let first = firstOpset[node.opType], first <= opset else { return false }
    return !node.attribute.contains { $0.hasG || !$0.graphs.isEmpty }
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
      return "\(domainText)\(opType) [\(opsetText)]"
    }
  }
}
