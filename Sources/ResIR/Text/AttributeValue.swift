/// A typed attribute value as the dumps show it: the common vocabulary of the text form, JSON and DOT.
///
/// `Op`'s attributes are Swift fields of many shapes; flattening them into these few kinds, under ONNX's
/// attribute names, lets every writer print every op without its own switch over `Op`.
enum AttributeValue: Sendable, Hashable {
  case int(Int)
  case float(Float)
  case ints([Int])
  /// A list of floats (Resize's `scales`), printed `[2.0,0.5]`.
  case floats([Float])
  /// An enumerated choice: `SAME_UPPER`, `constant`, `forward`, a dtype such as `f16`.
  case word(String)
  /// A typed scalar (ConstantOfShape's `value`), printed `f32 0.5`.
  case scalar(ScalarValue)
  /// Functions with parameters (the recurrent ops' `activations`).
  case calls([AttributeCall])

  /// ONNX's spelling of a boolean attribute (`transA=1`).
  static func flag(_ value: Bool) -> AttributeValue { .int(value ? 1 : 0) }
}

/// A named attribute of an op.
struct NamedAttribute: Sendable, Hashable {
  var name: String
  var value: AttributeValue

  init(_ name: String, _ value: AttributeValue) {
    self.name = name
    self.value = value
  }
}

/// A function with named scalar parameters: an activation such as `relu` or `clip(min=0.0, max=6.0)`.
struct AttributeCall: Sendable, Hashable {
  var name: String
  /// In the order the printer shows them; values are scalars (`int`, `float` or `word`).
  var parameters: [NamedAttribute]

  init(_ name: String, _ parameters: [NamedAttribute] = []) {
    self.name = name
    self.parameters = parameters
  }
}

extension AttributeValue {
  /// The text-form spelling: `3`, `1e-05`, `[1,1]`, `SAME_UPPER`, `f32 0.0`, `[Sigmoid, Tanh]`.
  var text: String {
    switch self {
    case .int(let v): String(v)
    case .float(let v): TextSpelling.float(v)
    case .ints(let v): TextSpelling.integers(v)
    case .floats(let v): "[" + v.map(TextSpelling.float).joined(separator: ",") + "]"
    case .word(let w): w
    case .scalar(let s): "\(s.dtype.rawValue) \(TextSpelling.scalar(s))"
    case .calls(let calls): "[" + calls.map(\.text).joined(separator: ", ") + "]"
    }
  }
}

extension AttributeCall {
  /// `relu`, or `clip(min=0.0, max=6.0)`.
  var text: String {
    guard !parameters.isEmpty else { return name }
    return name + "(" + parameters.map { "\($0.name)=\($0.value.text)" }.joined(separator: ", ") + ")"
  }
}
