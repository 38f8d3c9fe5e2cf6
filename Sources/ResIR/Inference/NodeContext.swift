/// One node's view of the graph during inference: its operands' types and known values, and the checks that
/// every op's inference shares. Each check throws a one-line `ModelError` naming the node.
///
/// Operand names in messages (`input`, `weight`, `bias`) follow ONNX's documentation of the op, so that the
/// model's author can find the tensor.
struct NodeContext {
  let node: Node
  let graph: Graph
  let inference: ShapeInference

  func error(_ message: String) -> ModelError {
    ModelError(node, message)
  }

  // MARK: - Operands

  /// The type of the operand in `slot`, which must be present.
  func operand(_ slot: Int) throws(ModelError) -> TensorType {
    guard let value = node.input(slot) else { throw error("operand \(slot + 1) is missing") }
    return graph.type(of: value)
  }

  /// The type of the operand in `slot`, when present.
  func optionalOperand(_ slot: Int) -> TensorType? {
    node.input(slot).map { graph.type(of: $0) }
  }

  /// The types of every present operand, in slot order (variadic ops).
  var presentOperands: [TensorType] {
    node.presentInputs.map { graph.type(of: $0) }
  }

  /// The known value of the operand in `slot`, if any.
  func knownTensor(_ slot: Int) -> KnownTensor? {
    node.input(slot).flatMap { inference.knownTensor(of: $0, in: graph) }
  }

  /// The known elements of the operand in `slot` in row-major order, if any.
  func elements(_ slot: Int) -> [Monomial?]? {
    knownTensor(slot)?.elements
  }

  /// The operand's elements when every one is a plain number (Slice's starts, Gather's constant indices).
  func integers(_ slot: Int) -> [Int]? {
    guard let elements = elements(slot) else { return nil }
    var values: [Int] = []
    for element in elements {
      guard let value = element?.constant else { return nil }
      values.append(value)
    }
    return values
  }

  // MARK: - Shared checks

  func requireRank(_ type: TensorType, _ expected: Int, _ what: String, layout: String? = nil) throws(ModelError) {
    guard type.rank == expected else {
      throw error("\(what) has rank \(type.rank), expected \(expected)\(layout.map { " (\($0))" } ?? "")")
    }
  }

  func requireRank(_ type: TensorType, atLeast minimum: Int, _ what: String, layout: String? = nil)
    throws(ModelError)
  {
    guard type.rank >= minimum else {
      throw error("\(what) has rank \(type.rank), expected at least \(minimum)\(layout.map { " (\($0))" } ?? "")")
    }
  }

  func requireDType(_ type: TensorType, _ constraint: DTypeConstraint, _ what: String) throws(ModelError) {
    guard constraint.admits(type.dtype) else {
      throw error("\(what) is \(type.dtype.onnxName) but must be \(constraint.description)")
    }
  }

  /// The present operands among `slots` must share the first one's element type, as ONNX's shared type
  /// parameter `T` requires.
  func requireSameDType(_ slots: [Int]) throws(ModelError) {
    var reference: (slot: Int, dtype: DType)?
    for slot in slots {
      guard let type = optionalOperand(slot) else { continue }
      guard let first = reference else {
        reference = (slot, type.dtype)
        continue
      }
      guard type.dtype == first.dtype else {
        throw error(
          "operand \(slot + 1) is \(type.dtype.onnxName) but operand \(first.slot + 1) is \(first.dtype.onnxName)")
      }
    }
  }

  /// Every present operand must share the first one's element type (variadic ops).
  func requireSameDTypeForAllOperands() throws(ModelError) {
    try requireSameDType(Array(node.inputs.indices))
  }

  /// Checks a non-negative axis (the importer has already normalized negative ones) against `rank`.
  func requireAxis(_ axis: Int, rank: Int, _ what: String = "axis") throws(ModelError) {
    guard axis >= 0 && axis < rank else {
      throw error("\(what) \(axis) is out of range for rank \(rank)")
    }
  }

  /// Checks a list of non-negative axes: each in range, none repeated.
  func requireDistinctAxes(_ axes: [Int], rank: Int, _ what: String = "axes") throws(ModelError) {
    var seen = [Bool](repeating: false, count: max(rank, 0))
    for axis in axes {
      guard axis >= 0 && axis < rank else {
        throw error("\(what) \(listText(axes)) include \(axis), out of range for rank \(rank)")
      }
      guard !seen[axis] else { throw error("\(what) \(listText(axes)) repeat axis \(axis)") }
      seen[axis] = true
    }
  }

  /// A scalar operand (Clip's bounds, Pad's value): rank 0, or a single element.
  func requireScalar(_ type: TensorType, _ what: String) throws(ModelError) {
    guard type.rank == 0 || type.shape.allSatisfy({ $0 == .known(1) }) else {
      throw error("\(what) must be a scalar, got shape \(shapeText(type.shape))")
    }
  }

  /// The number of elements of `shape` as a monomial; `nil` when a dimension is unknown. Throws when the
  /// numbers alone overflow `Int`, which no real tensor does.
  func elementCount(_ shape: [Dim], _ what: String) throws(ModelError) -> Monomial? {
    var total = Monomial(1)
    var sawUnknown = false
    for dim in shape {
      guard let factor = Monomial(dim) else {
        sawUnknown = true
        continue
      }
      guard let next = total.multiplied(by: factor) else {
        throw error("\(what) \(shapeText(shape)) has more elements than fit in a 64-bit integer")
      }
      total = next
    }
    return sawUnknown ? nil : total
  }

  /// Known dimensions of operands are never negative: a hostile graph input could say so, and every later
  /// computation assumes it cannot.
  func requireNonNegativeOperandDims() throws(ModelError) {
    for (slot, value) in node.inputs.enumerated() {
      guard let value else { continue }
      for dim in graph.type(of: value).shape {
        if case .known(let v) = dim, v < 0 {
          throw error("operand \(slot + 1) has negative dimension \(v)")
        }
      }
    }
  }
}
