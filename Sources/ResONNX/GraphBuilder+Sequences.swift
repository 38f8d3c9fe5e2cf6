import ResIR

/// Which operators read or make sequences (`TensorSequence`).
enum SequenceOperators {
  /// Operators whose result is a sequence: the importer records its elements, and no IR node is made.
  static let producing: Set<String> = [
    "SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceErase", "SplitToSequence",
  ]

  /// Operators that may be given a sequence as an input (Identity passes one on; Loop carries one).
  static func takesSequences(_ opType: String) -> Bool {
    ["Loop", "Identity", "SequenceInsert", "SequenceErase", "SequenceAt", "SequenceLength", "ConcatFromSequence"]
      .contains(opType)
  }
}

/// ONNX's sequence operators, evaluated on the elements while importing. Positions and split sizes must be
/// known when compiling (they decide which tensor is which), as a static plan needs.
extension GraphBuilder {
  /// Imports `node` when its result is a sequence (a sequence operator, or Identity of a sequence), recording
  /// the elements under its output name; false for every other node.
  mutating func importSequenceResult(_ node: ONNXNode) throws(ModelError) -> Bool {
    let result: TensorSequence
    switch node.opType {
    case "SequenceEmpty":
      let code = try node.attributes.int("dtype", default: Int(Onnx_TensorProto.DataType.float.rawValue))
      guard let dtype = ONNXDataType.dtype(code: code) else { throw node.error(ONNXDataType.unsupportedMessage(code: code)) }
      result = TensorSequence(elements: [], dtype: dtype)
    case "SequenceConstruct": result = try constructedSequence(node)
    case "SequenceInsert": result = try insertedSequence(node)
    case "SequenceErase": result = try erasedSequence(node)
    case "SplitToSequence": result = try splitSequence(node)
    case "Identity" where node.proto.input.first.map { sequences[$0] != nil } ?? false:
      result = try sequence(0, of: node)
    default: return false
    }
    guard let name = node.outputName(0) else { return true }
    sequences[name] = result
    return true
  }

  /// SequenceAt: the element at a known position.
  func convertSequenceAt(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let sequence = try sequence(0, of: node)
    guard let at = try position(1, of: node, count: sequence.elements.count, allowingEnd: false) else {
      throw node.error("required input 'position' is missing")
    }
    return Conversion(.identity, [sequence.elements[at]])
  }

  /// SequenceLength: the number of elements, a constant.
  mutating func convertSequenceLength(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let count = try sequence(0, of: node).elements.count
    return Conversion(.identity, [addScalar(Double(count), dtype: .int64, named: "\(node.name)_length")])
  }

  /// ConcatFromSequence: a Concat of the elements, each given a new axis first when `new_axis` is 1 (a stack).
  mutating func convertConcatFromSequence(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let elements = try sequence(0, of: node).elements
    guard let first = elements.first else { throw node.error("the sequence is empty: there is nothing to concatenate") }
    let stacked = try node.attributes.flag("new_axis", default: false)
    let rank = graph.type(of: first).rank + (stacked ? 1 : 0)
    let axis = try normalizedAxis(try node.attributes.requiredInt("axis"), rank: rank, of: node)
    guard stacked else { return Conversion(.concat(axis: axis), elements) }
    var rows: [ValueID?] = []
    for (index, element) in elements.enumerated() {
      rows.append(try step(.unsqueeze(axes: [axis]), [element], "element\(index)", of: node))
    }
    return Conversion(.concat(axis: axis), rows)
  }

  // MARK: - Sequences from sequences

  private func constructedSequence(_ node: ONNXNode) throws(ModelError) -> TensorSequence {
    let elements = node.operands.compactMap { $0 }
    guard let first = elements.first, elements.count == node.operands.count else {
      throw node.error("takes one or more tensors, none absent")
    }
    let dtype = graph.type(of: first).dtype
    try requireElementType(dtype, of: elements, node)
    return TensorSequence(elements: elements, dtype: dtype)
  }

  private func insertedSequence(_ node: ONNXNode) throws(ModelError) -> TensorSequence {
    var sequence = try sequence(0, of: node)
    let tensor = try node.requiredOperand(1, "tensor")
    try requireElementType(sequence.dtype, of: [tensor], node)
    let at = try position(2, of: node, count: sequence.elements.count, allowingEnd: true) ?? sequence.elements.count
    sequence.elements.insert(tensor, at: at)
    return sequence
  }

  private func erasedSequence(_ node: ONNXNode) throws(ModelError) -> TensorSequence {
    var sequence = try sequence(0, of: node)
    guard !sequence.elements.isEmpty else { throw node.error("the sequence is empty: there is nothing to erase") }
    let at = try position(1, of: node, count: sequence.elements.count, allowingEnd: false)
    sequence.elements.remove(at: at ?? sequence.elements.count - 1)
    return sequence
  }

  /// SplitToSequence: pieces of the given sizes along `axis` (one size: equal pieces, the last smaller), or,
  /// without sizes, every index along it, its axis dropped unless `keepdims`.
  private mutating func splitSequence(_ node: ONNXNode) throws(ModelError) -> TensorSequence {
    let input = try node.requiredOperand(0, "input")
    let type = graph.type(of: input)
    let axis = try normalizedAxis(try node.attributes.int("axis", default: 0), rank: type.rank, of: node)
    guard let length = type.shape[axis].value else { throw node.error("the split axis \(axis) of \(type) is not known") }
    let sizes = try pieceSizes(node, length: length)
    let keepsAxis = try node.attributes.flag("keepdims", default: true)
    let dropsAxis = node.operand(1) == nil && !keepsAxis
    var elements: [ValueID] = []
    var start = 0
    for (index, size) in sizes.enumerated() {
      let bounds: [ValueID?] = [
        input, addIntegers([start], named: "\(node.name)_start\(index)"),
        addIntegers([start + size], named: "\(node.name)_end\(index)"), addIntegers([axis], named: "\(node.name)_axis"),
      ]
      var piece = try step(.slice, bounds, "piece\(index)", of: node)
      if dropsAxis { piece = try step(.squeeze(axes: [axis]), [piece], "element\(index)", of: node) }
      elements.append(piece)
      start += size
    }
    return TensorSequence(elements: elements, dtype: type.dtype)
  }

  /// Each piece is a node, so there may be at most `Subgraph.maximumInlinedNodes` of them: an axis of 2⁴⁰
  /// split into ones must be an error, not an allocation of 8 TB.
  private func pieceSizes(_ node: ONNXNode, length: Int) throws(ModelError) -> [Int] {
    guard let split = node.operand(1) else { return try equalPieces(of: length, size: 1, node) }
    let given = try constantIntegers(split, operand: "split", of: node)
    if graph.type(of: split).rank == 0, let size = given.first {
      guard size > 0 else { throw node.error("split size \(size) is not positive") }
      return try equalPieces(of: length, size: size, node)
    }
    guard given.allSatisfy({ $0 >= 0 }), given.reduce(0, +) == length else {
      throw node.error("split sizes \(given) do not add up to the axis length \(length)")
    }
    return given
  }

  /// `length` in pieces of `size`, the last one smaller.
  private func equalPieces(of length: Int, size: Int, _ node: ONNXNode) throws(ModelError) -> [Int] {
    let count = length / size + (length % size == 0 ? 0 : 1)
    guard count <= Subgraph.maximumInlinedNodes else {
      throw node.error("splits an axis of \(length) into \(count) pieces, more than \(Subgraph.maximumInlinedNodes)")
    }
    return stride(from: 0, to: length, by: size).map { min(size, length - $0) }
  }

  // MARK: - Operands

  /// The sequence input in `slot`.
  func sequence(_ slot: Int, of node: ONNXNode) throws(ModelError) -> TensorSequence {
    guard slot < node.proto.input.count, !node.proto.input[slot].isEmpty else {
      throw node.error("input #\(slot) (a sequence) is missing")
    }
    let name = node.proto.input[slot]
    guard let sequence = sequences[name] else { throw node.error("input '\(name)' is not a sequence") }
    return sequence
  }

  /// The position operand in `slot`, counted from the end when negative; nil when absent. `allowingEnd`: the
  /// position just past the last element is valid (an insertion there appends).
  private func position(_ slot: Int, of node: ONNXNode, count: Int, allowingEnd: Bool) throws(ModelError) -> Int? {
    guard let value = node.operand(slot) else { return nil }
    let given = try constantIntegers(value, operand: "position", of: node)
    guard given.count == 1, let raw = given.first else { throw node.error("position must hold one integer") }
    let at = raw < 0 ? raw + count : raw
    guard at >= 0, at < count + (allowingEnd ? 1 : 0) else {
      throw node.error("position \(raw) is out of range for a sequence of \(count) element(s)")
    }
    return at
  }

  private func requireElementType(_ dtype: DType, of tensors: [ValueID], _ node: ONNXNode) throws(ModelError) {
    if let other = tensors.map({ graph.type(of: $0).dtype }).first(where: { $0 != dtype }) {
      throw node.error("the sequence holds \(dtype.onnxName) tensors; this one is \(other.onnxName)")
    }
  }
}
