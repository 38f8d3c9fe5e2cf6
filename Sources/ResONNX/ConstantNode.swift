import ResIR

/// The value of an ONNX `Constant` node, which the importer turns into a constant rather than a node: a
/// weight stored as a Constant node must fold and fuse exactly like one stored as an initializer.
enum ConstantNode {
  /// The attributes a Constant node may carry; exactly one must be set.
  private static let valueAttributes = [
    "value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints", "value_string",
    "value_strings",
  ]

  static func constant(attributes: NodeAttributes, decoder: TensorDecoder) throws(ModelError) -> Constant {
    let given = valueAttributes.filter(attributes.has)
    guard given.count == 1, let attribute = given.first else {
      throw attributes.error(
        given.isEmpty
          ? "has no value attribute"
          : "has several value attributes (\(given.joined(separator: ", "))); exactly one is allowed")
    }
    switch attribute {
    case "value":
      guard let tensor = try attributes.tensor("value") else { throw attributes.missing("value") }
      return try decoder.constant(from: tensor, error: { attributes.error("value: \($0)") })
    case "value_float":
      guard let value = try attributes.float("value_float") else { throw attributes.missing("value_float") }
      return Constant(floats: [value], dims: [])
    case "value_floats":
      let values = try attributes.floats("value_floats") ?? []
      return Constant(floats: values, dims: [values.count])
    case "value_int":
      guard let value = try attributes.int("value_int") else { throw attributes.missing("value_int") }
      return Constant(int64s: [Int64(value)], dims: [])
    case "value_ints":
      let values = try attributes.ints("value_ints") ?? []
      return Constant(int64s: values.map { Int64($0) }, dims: [values.count])
    case "sparse_value":
      throw attributes.error("sparse constants (sparse_value) are not supported")
    default:
      throw attributes.error("string constants (\(attribute)) are not supported")
    }
  }
}
