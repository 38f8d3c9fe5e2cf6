/// An attribute value as written, before the op it belongs to says which kind it must be.
///
/// The parser cannot tell an integer from a float attribute by looking at `1`, so it keeps the text and its
/// position; `AttributeReader` converts it once the op type is known and reports a wrong kind at the value.
/// The grammar keeps these shallow (a list holds numbers or calls, a call's parameters are scalars), so the
/// parser never recurses on its input.
indirect enum ParsedValue: Sendable {
  case number(String, SourcePosition)
  case word(String, SourcePosition)
  /// `f32 0.5`: a dtype followed by a number.
  case typedNumber(dtype: String, number: String, SourcePosition)
  case list([ParsedValue], SourcePosition)
  case call(ParsedCall)

  var position: SourcePosition {
    switch self {
    case .number(_, let p), .word(_, let p), .typedNumber(_, _, let p), .list(_, let p): p
    case .call(let c): c.position
    }
  }
}

/// `name=value` inside `{...}` or inside a call's parentheses.
struct ParsedAttribute: Sendable {
  var name: String
  var position: SourcePosition
  var value: ParsedValue
}

/// `relu` or `clip(min=0.0, max=6.0)` as written.
struct ParsedCall: Sendable {
  var name: String
  var position: SourcePosition
  var parameters: [ParsedAttribute]
}

// MARK: - Conversions to the kinds attributes have

extension ParsedValue {
  /// The text of a number: a number token, or a word that spells one (`nan`, `inf`).
  var numberText: String? {
    switch self {
    case .number(let text, _): text
    case .word(let text, _): Double(text) == nil ? nil : text
    case .typedNumber, .list, .call: nil
    }
  }

  /// `what` names the value in messages: "attribute 'group' of Conv".
  func integer(_ what: String) throws(TextParseError) -> Int {
    guard case .number(let text, _) = self, let value = Int(text) else {
      throw TextParseError(at: position, "\(what) must be an integer")
    }
    return value
  }

  func float(_ what: String) throws(TextParseError) -> Float {
    guard let text = numberText, let value = Float(text) else {
      throw TextParseError(at: position, "\(what) must be a number")
    }
    return value
  }

  /// ONNX's 0/1 booleans.
  func flag(_ what: String) throws(TextParseError) -> Bool {
    guard case .number(let text, _) = self, let value = Int(text), value == 0 || value == 1 else {
      throw TextParseError(at: position, "\(what) must be 0 or 1")
    }
    return value == 1
  }

  func floats(_ what: String) throws(TextParseError) -> [Float] {
    guard case .list(let elements, _) = self else {
      throw TextParseError(at: position, "\(what) must be a list of numbers")
    }
    var values: [Float] = []
    for element in elements { values.append(try element.float(what)) }
    return values
  }

  func integers(_ what: String) throws(TextParseError) -> [Int] {
    guard case .list(let elements, _) = self else {
      throw TextParseError(at: position, "\(what) must be a list of integers")
    }
    var values: [Int] = []
    values.reserveCapacity(elements.count)
    for element in elements {
      guard case .number(let text, _) = element, let value = Int(text) else {
        throw TextParseError(at: element.position, "\(what) must be a list of integers")
      }
      values.append(value)
    }
    return values
  }

  func choice<E: RawRepresentable<String> & CaseIterable>(_ what: String, _: E.Type) throws(TextParseError) -> E {
    guard case .word(let text, _) = self, let value = E(rawValue: text) else {
      let options = E.allCases.map(\.rawValue).joined(separator: ", ")
      throw TextParseError(at: position, "\(what) must be one of \(options)")
    }
    return value
  }

  func typedScalar(_ what: String) throws(TextParseError) -> ScalarValue {
    guard case .typedNumber(let dtypeText, let number, _) = self, let dtype = DType(rawValue: dtypeText),
      let value = Double(number)
    else {
      throw TextParseError(at: position, "\(what) must be a dtype and a number, such as 'f32 0.0'")
    }
    return ScalarValue(dtype: dtype, value: value)
  }

  /// A list of calls; a bare word in the list is a call without parameters.
  func calls(_ what: String) throws(TextParseError) -> [ParsedCall] {
    guard case .list(let elements, _) = self else {
      throw TextParseError(at: position, "\(what) must be a list of functions")
    }
    var calls: [ParsedCall] = []
    for element in elements {
      switch element {
      case .word(let name, let p): calls.append(ParsedCall(name: name, position: p, parameters: []))
      case .call(let call): calls.append(call)
      case .number, .typedNumber, .list:
        throw TextParseError(at: element.position, "\(what) must be a list of functions")
      }
    }
    return calls
  }
}
