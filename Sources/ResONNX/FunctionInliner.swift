import ResIR

/// Expands every call of a model-local function (`ModelProto.functions`, IR version 8 on) into the
/// function's body, so the rest of the importer only ever sees ONNX operators.
///
/// Models carry local functions when an exporter keeps module boundaries (`torch.onnx.export(...,
/// export_modules_as_functions=...)`, onnxscript, torch.export graphs left unoptimized). onnxruntime inlines
/// them the same way before it optimizes, so a body is exactly the graph the user would have written out.
///
/// A call binds the function's inputs and outputs by position (a missing or empty actual is a missing
/// optional value inside the body); every other value of the body gets a fresh name per call, and each body
/// node is named `<call>/<node>`, so errors and dumps say which call a node came from. An attribute that
/// refers to the caller's (`ref_attr_name`) takes the caller's value, else the function's default
/// (`attribute_proto`), else is left out, as the ONNX specification says.
///
/// Hostile files cannot make it loop or explode: a function that calls itself (directly or not) is an
/// error, and so is an expansion beyond `maximumNodes` nodes and calls (functions calling functions twice
/// at each of 30 levels would otherwise ask for a billion). Both are found from the function table before
/// anything is expanded, so refusing costs a pass over the bodies, not a million copied nodes. Calls nested
/// deeper than `maximumDepth` are refused too.
enum FunctionInliner {
  /// The most nodes an expanded graph may have.
  static let maximumNodes = 1_000_000
  /// The deepest calls may nest: expansion recurses once per level, and a file is not allowed to decide how
  /// deep this process's stack goes.
  static let maximumDepth = 100

  /// Replaces `model`'s calls of its local functions with their bodies and drops the functions.
  static func inline(_ model: inout Onnx_ModelProto) throws(ModelError) {
    guard !model.functions.isEmpty else { return }
    var expander = try Expander(model)
    try expander.checkExpandedSize(of: model.graph.node)
    model.graph.node = expander.expand(model.graph.node)
    model.functions = []
  }

  /// A function's identity: ONNX looks a call up by (domain, name, overload).
  struct Key: Hashable, CustomStringConvertible {
    var domain: String
    var name: String
    var overload: String

    init(_ function: Onnx_FunctionProto) {
      (domain, name, overload) = (Self.canonical(function.domain), function.name, function.overload)
    }

    init(call node: Onnx_NodeProto) {
      (domain, name, overload) = (Self.canonical(node.domain), node.opType, node.overload)
    }

    /// "" and "ai.onnx" both name the default domain.
    private static func canonical(_ domain: String) -> String {
      OpSupport.isDefaultDomain(domain) ? "" : domain
    }

    var description: String {
      let qualified = domain.isEmpty ? name : "\(domain)::\(name)"
      return overload.isEmpty ? "'\(qualified)'" : "'\(qualified)' (overload '\(overload)')"
    }
  }

  /// The expansion state: the function table, the names already taken and the node budget.
  private struct Expander {
    let functions: [Key: Onnx_FunctionProto]
    /// Value and node names in use, so generated ones never collide with the file's.
    var valueNames: UniqueNames
    var nodeNames: UniqueNames
    /// Nodes plus calls one call of each function expands to (`expandedSize`), saturating at the maximum.
    var sizes: [Key: Int] = [:]

    /// The default-domain opset the model imports: the importer reads every node at this version.
    let modelOpset: Int64?

    init(_ model: Onnx_ModelProto) throws(ModelError) {
      var functions: [Key: Onnx_FunctionProto] = [:]
      for function in model.functions {
        let key = Key(function)
        guard functions[key] == nil else { throw ModelError("the model defines function \(key) twice") }
        functions[key] = function
      }
      self.functions = functions
      modelOpset = model.opsetImport.first { OpSupport.isDefaultDomain($0.domain) }?.version
      let graph = model.graph
      var values = Set(graph.input.map(\.name) + graph.initializer.map(\.name) + graph.output.map(\.name))
      for node in graph.node { values.formUnion(node.output) }
      valueNames = UniqueNames(taken: values)
      nodeNames = UniqueNames(taken: Set(graph.node.map(\.name)))
    }

    /// Throws when expanding `nodes` would pass `maximumNodes` nodes and calls (calls count too: a chain of
    /// functions that each call the next twice and end in an empty body would otherwise take forever
    /// producing nothing), or when a function they reach calls itself.
    mutating func checkExpandedSize(of nodes: [Onnx_NodeProto]) throws(ModelError) {
      if try expandedSize(of: nodes, within: []) > FunctionInliner.maximumNodes {
        throw ModelError("expanding the model's functions gives more than \(FunctionInliner.maximumNodes) nodes")
      }
    }

    /// Nodes plus calls `nodes` expand to, at most `maximumNodes + 1`; `within` lists the functions whose
    /// bodies they are.
    private mutating func expandedSize(of nodes: [Onnx_NodeProto], within: [Key]) throws(ModelError) -> Int {
      var total = 0
      for node in nodes {
        total += 1
        let key = Key(call: node)
        if let function = functions[key] {
          guard !within.contains(key) else {
            throw ModelError(node: node.name, opType: node.opType, "function \(key) calls itself")
          }
          guard within.count < FunctionInliner.maximumDepth else {
            throw ModelError(
              node: node.name, opType: node.opType,
              "function calls nest more than \(FunctionInliner.maximumDepth) deep")
          }
          try Self.checkArity(of: node, calling: function)
          if sizes[key] == nil {
            try checkOpset(of: function)
            sizes[key] = try expandedSize(of: function.node, within: within + [key])
          }
          total += sizes[key] ?? 0
        }
        if total > FunctionInliner.maximumNodes { return FunctionInliner.maximumNodes + 1 }
      }
      return total
    }

    /// `nodes` with every call expanded (`checkExpandedSize` has bounded the result and ruled out cycles).
    mutating func expand(_ nodes: [Onnx_NodeProto]) -> [Onnx_NodeProto] {
      var expanded: [Onnx_NodeProto] = []
      expanded.reserveCapacity(nodes.count)
      for node in nodes {
        if let function = functions[Key(call: node)] {
          expanded += expand(instantiate(function, calledBy: node))
        } else {
          expanded.append(node)
        }
      }
      return expanded
    }

    /// Throws when `function` imports another default-domain opset than the model: its operators would be
    /// read at the model's version, and an operator that changed in between would mean something else.
    private func checkOpset(of function: Onnx_FunctionProto) throws(ModelError) {
      guard let modelOpset, let own = function.opsetImport.first(where: { OpSupport.isDefaultDomain($0.domain) }),
        own.version != modelOpset
      else { return }
      throw ModelError(
        "function \(Key(function)) imports opset \(own.version) of the default ONNX domain, the model opset "
          + "\(modelOpset): a function's operators must have the model's versions")
    }

    /// Throws unless `call` passes at most as many inputs and takes at most as many outputs as `function` has.
    private static func checkArity(of call: Onnx_NodeProto, calling function: Onnx_FunctionProto) throws(ModelError) {
      guard call.input.count > function.input.count || call.output.count > function.output.count else { return }
      throw ModelError(
        node: call.name, opType: call.opType,
        "passes \(call.input.count) inputs and takes \(call.output.count) outputs; function \(Key(function)) "
          + "has \(function.input.count) inputs and \(function.output.count) outputs")
    }

    /// The body of `function` for one call: values renamed, attribute references resolved, nodes named
    /// after the call.
    private mutating func instantiate(_ function: Onnx_FunctionProto, calledBy call: Onnx_NodeProto)
      -> [Onnx_NodeProto]
    {
      let label = call.name.isEmpty ? call.opType : call.name
      var names: [String: String] = [:]
      for (position, formal) in function.input.enumerated() where !formal.isEmpty {
        names[formal] = position < call.input.count ? call.input[position] : ""
      }
      // An output that is one of the inputs passed straight through becomes an Identity of the actual input.
      var passedThrough: [Onnx_NodeProto] = []
      for (position, formal) in function.output.enumerated() where !formal.isEmpty {
        guard position < call.output.count, !call.output[position].isEmpty else { continue }
        if let input = names[formal], function.input.contains(formal) {
          var identity = Onnx_NodeProto()
          identity.opType = "Identity"
          identity.input = [input]
          identity.output = [call.output[position]]
          identity.name = nodeNames.claim("\(label)/\(formal)_passed_through")
          passedThrough.append(identity)
        } else {
          names[formal] = call.output[position]
        }
      }
      let defaults = Dictionary(function.attributeProto.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
      let given = Dictionary(call.attribute.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
      return passedThrough + function.node.enumerated().map { position, template in
        var node = Subgraphs.renamingOuterReads(of: template, names)
        node.input = template.input.map { rename($0, &names, label: label) }
        node.output = template.output.map { rename($0, &names, label: label) }
        let own = template.name.isEmpty ? "\(template.opType)_\(position)" : template.name
        node.name = nodeNames.claim("\(label)/\(own)")
        node.attribute = node.attribute.compactMap { attribute in
          guard attribute.hasRefAttrName else { return attribute }
          guard var value = given[attribute.refAttrName] ?? defaults[attribute.refAttrName] else { return nil }
          value.name = attribute.name
          value.clearRefAttrName()
          return value
        }
        return node
      }
    }

    /// The name `name` of the body has in this call: the actual for a formal input or output, a fresh one
    /// (`<call>/<name>`) for a value of the body's own.
    private mutating func rename(_ name: String, _ names: inout [String: String], label: String) -> String {
      guard !name.isEmpty else { return "" }
      if let known = names[name] { return known }
      let fresh = valueNames.claim("\(label)/\(name)")
      names[name] = fresh
      return fresh
    }
  }
}
