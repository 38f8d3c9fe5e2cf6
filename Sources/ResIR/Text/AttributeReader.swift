/// Hands out an op's (or a call's) parsed attributes by name and kind, and reports what is missing, of the
/// wrong kind, duplicated or unknown.
///
/// Every attribute must be consumed: `finish()` rejects leftovers, so a misspelled name is an error instead
/// of a silently ignored setting.
struct AttributeReader {
  /// `Conv`, or a call such as `clip`; used in messages.
  private let owner: String
  /// `attribute` or `parameter`.
  private let noun: String
  /// Where a missing attribute is reported: the op or call name.
  private let position: SourcePosition
  private var pending: [String: ParsedAttribute] = [:]

  init(owner: String, noun: String, at position: SourcePosition, _ attributes: [ParsedAttribute])
    throws(TextParseError)
  {
    self.owner = owner
    self.noun = noun
    self.position = position
    for attribute in attributes {
      guard pending[attribute.name] == nil else {
        throw TextParseError(at: attribute.position, "duplicate \(noun) '\(attribute.name)'")
      }
      pending[attribute.name] = attribute
    }
  }

  /// Reads the parameters of a call (`clip(min=0.0, max=6.0)`).
  init(call: ParsedCall) throws(TextParseError) {
    try self.init(owner: call.name, noun: "parameter", at: call.position, call.parameters)
  }

  /// "attribute 'group' of Conv".
  func describe(_ name: String) -> String { "\(noun) '\(name)' of \(owner)" }

  /// Removes and returns an attribute if present.
  mutating func take(_ name: String) -> ParsedValue? {
    pending.removeValue(forKey: name)?.value
  }

  mutating func require(_ name: String) throws(TextParseError) -> ParsedValue {
    guard let value = take(name) else { throw missing(name) }
    return value
  }

  /// "Conv is missing attribute 'group'", reported at the op.
  func missing(_ name: String) -> TextParseError {
    TextParseError(at: position, "\(owner) is missing \(noun) '\(name)'")
  }

  /// Fails on the first (by position) attribute nobody asked for.
  func finish() throws(TextParseError) {
    guard let unknown = pending.values.min(by: { $0.position < $1.position }) else { return }
    throw TextParseError(at: unknown.position, "unknown \(noun) '\(unknown.name)' for \(owner)")
  }

  // MARK: - Typed access

  mutating func int(_ name: String) throws(TextParseError) -> Int {
    try require(name).integer(describe(name))
  }

  mutating func optionalInt(_ name: String) throws(TextParseError) -> Int? {
    guard let value = take(name) else { return nil }
    return try value.integer(describe(name))
  }

  mutating func float(_ name: String) throws(TextParseError) -> Float {
    try require(name).float(describe(name))
  }

  mutating func optionalFloat(_ name: String) throws(TextParseError) -> Float? {
    guard let value = take(name) else { return nil }
    return try value.float(describe(name))
  }

  mutating func flag(_ name: String) throws(TextParseError) -> Bool {
    try require(name).flag(describe(name))
  }

  /// A flag that may be left out, meaning `false`.
  mutating func optionalFlag(_ name: String) throws(TextParseError) -> Bool {
    guard let value = take(name) else { return false }
    return try value.flag(describe(name))
  }

  mutating func floats(_ name: String) throws(TextParseError) -> [Float] {
    try require(name).floats(describe(name))
  }

  mutating func ints(_ name: String) throws(TextParseError) -> [Int] {
    try require(name).integers(describe(name))
  }

  mutating func optionalInts(_ name: String) throws(TextParseError) -> [Int]? {
    guard let value = take(name) else { return nil }
    return try value.integers(describe(name))
  }

  mutating func choice<E: RawRepresentable<String> & CaseIterable>(_ name: String, _ type: E.Type)
    throws(TextParseError) -> E
  {
    try require(name).choice(describe(name), type)
  }

  mutating func typedScalar(_ name: String) throws(TextParseError) -> ScalarValue {
    try require(name).typedScalar(describe(name))
  }

  mutating func calls(_ name: String) throws(TextParseError) -> [ParsedCall] {
    try require(name).calls(describe(name))
  }
}
