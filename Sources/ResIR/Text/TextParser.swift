/// Reads the text form back into a `Graph` (the grammar is on `TextFormat`).
///
/// A hand-written recursive-descent parser whose recursion depth is fixed by the grammar, never by the input:
/// statements, operands, attributes and list elements are all loops, and lists never nest. It checks what the
/// text alone can decide (syntax, names defined once and before use, sigils, attribute kinds) and takes the
/// printed result types as given: checking them against shape inference is the verifier's job.
struct TextParser {
  private let tokens: [TextToken]
  private var index = 0
  private var graph = Graph(name: "")
  private var definitions: [String: Definition] = [:]

  /// What a name refers to, and where it was defined (for "already defined" messages).
  private struct Definition {
    var value: ValueID
    var isConstant: Bool
    var position: SourcePosition
  }

  static func parse(_ text: String) throws(TextParseError) -> Graph {
    var parser = TextParser(tokens: try TextLexer.tokenize(text))
    return try parser.graphDefinition()
  }

  private init(tokens: [TextToken]) {
    self.tokens = tokens
  }

  // MARK: - Statements

  /// `graph "name" { statement... return ... }`
  private mutating func graphDefinition() throws(TextParseError) -> Graph {
    try expectKeyword("graph", "expected 'graph' at the start of the text")
    graph = Graph(name: try string("expected the graph name (a quoted string) after 'graph'"))
    try expect("{", "expected '{' after the graph name")
    while true {
      switch current.kind {
      case .identifier("input"):
        advance()
        try inputDeclaration()
      case .identifier("const"):
        advance()
        try constantDeclaration()
      case .identifier("return"):
        advance()
        try returnStatement()
        return graph
      case .valueName, .identifier:
        try nodeStatement()
      default:
        throw unexpected("expected 'input', 'const', a node or 'return'")
      }
    }
  }

  /// `input %x: f32[N,3,224,224]`
  private mutating func inputDeclaration() throws(TextParseError) {
    guard case .valueName(let name) = current.kind else {
      throw unexpected("expected the input's name (such as %x) after 'input'")
    }
    let position = current.position
    try checkNotDefined(name, at: position)
    advance()
    try expect(":", "expected ':' after value name")
    let id = graph.addInput(name: name, type: try type())
    definitions[name] = Definition(value: id, isConstant: false, position: position)
  }

  /// `const @w: f32[64,3,7,7] fingerprint 0123456789abcdef` or `const @s: i64[2] = [1,-1]`
  private mutating func constantDeclaration() throws(TextParseError) {
    guard case .constantName(let name) = current.kind else {
      throw unexpected("expected the constant's name (such as @w) after 'const'")
    }
    let position = current.position
    try checkNotDefined(name, at: position)
    advance()
    try expect(":", "expected ':' after value name")
    let typePosition = current.position
    let type = try type()
    let (dims, count) = try constantDims(type, at: typePosition)
    let constant: Constant
    if case .identifier("fingerprint") = current.kind {
      advance()
      let fingerprint = try fingerprint()
      let bytes = ConstantSynthesis.bytes(type.dtype, count: count, seed: fingerprint)
      constant = Constant(dtype: type.dtype, dims: dims, bytes: bytes, declaredFingerprint: fingerprint)
    } else if case .punctuation("=") = current.kind {
      advance()
      let bytes = try literal(type.dtype, count: count)
      constant = Constant(dtype: type.dtype, dims: dims, bytes: bytes)
    } else {
      throw unexpected("expected 'fingerprint' or '=' after the constant's type")
    }
    let id = graph.addConstant(name: name, constant)
    definitions[name] = Definition(value: id, isConstant: true, position: position)
  }

  /// `return %y, %z` followed by the graph's closing brace and the end of the text.
  private mutating func returnStatement() throws(TextParseError) {
    var outputs: [ValueID] = []
    if current.kind != .punctuation("}") {
      repeat {
        let position = current.position
        guard let output = try operand() else { throw TextParseError(at: position, "a graph output cannot be '_'") }
        outputs.append(output)
      } while accept(",")
    }
    graph.outputs = outputs
    try expect("}", "expected ',' or '}' after the graph's outputs")
    guard current.kind == .end else { throw unexpected("expected the end of the text after the graph's '}'") }
  }

  // MARK: - Nodes

  /// `%a, %b = Op "name" (operands) {attributes} prologue(...) epilogue(...) : type, type`
  private mutating func nodeStatement() throws(TextParseError) {
    let results = try resultNames()
    guard case .identifier(let opType) = current.kind else { throw unexpected("expected an op type such as Conv") }
    let opPosition = current.position
    advance()
    let name = try string("expected the node name (a quoted string) after '\(opType)'")
    let operands = try operandList()
    let attributes = current.kind == .punctuation("{") ? try attributeList() : []
    let prologue = try prologueClause()
    let fusion = try epilogueClause()
    let types = try resultTypes(count: results.count)
    var op = try Op(parsing: opType, at: opPosition, attributes: attributes, epilogue: fusion?.epilogue ?? .none)
    if let prologue {
      guard case .conv(var conv) = op else {
        throw TextParseError(at: prologue.position, "\(opType) cannot carry a prologue; only Conv does")
      }
      conv.prologue = prologue.prologue
      op = .conv(conv)
    }
    if let fusion {
      try checkEpilogue(fusion, of: op, opType: opType, operands: operands)
    }
    let outputs = zip(results, types).map { (name: $0.name, type: $1) }
    graph.appendNode(name: name, op: op, inputs: operands, results: outputs)
    for (result, id) in zip(results, graph.nodes.last?.outputs ?? []) {
      definitions[result.name] = Definition(value: id, isConstant: false, position: result.position)
    }
  }

  /// `%a, %b =`, or nothing for a node without results.
  private mutating func resultNames() throws(TextParseError) -> [(name: String, position: SourcePosition)] {
    var results: [(name: String, position: SourcePosition)] = []
    guard case .valueName = current.kind else { return results }
    repeat {
      guard case .valueName(let name) = current.kind else { throw unexpected("expected a result name such as %y") }
      try checkNotDefined(name, at: current.position)
      if let earlier = results.first(where: { $0.name == name }) {
        throw TextParseError(
          at: current.position,
          "duplicate definition of %\(TextSpelling.name(name)) (first defined at line \(earlier.position.line))")
      }
      results.append((name, current.position))
      advance()
    } while accept(",")
    try expect("=", "expected '=' after the result names")
    return results
  }

  /// `(%x, @w, _)`
  private mutating func operandList() throws(TextParseError) -> [ValueID?] {
    try expect("(", "expected '(' before the operands")
    var operands: [ValueID?] = []
    if accept(")") { return operands }
    repeat {
      operands.append(try operand())
    } while accept(",")
    try expect(")", "expected ',' or ')' after an operand")
    return operands
  }

  /// `: f32[1,64,56,56], f32[1]`, exactly one type per result (nothing when there are no results).
  private mutating func resultTypes(count: Int) throws(TextParseError) -> [TensorType] {
    guard count > 0 else { return [] }
    try expect(":", "expected ':' and the result types")
    let position = current.position
    var types: [TensorType] = []
    repeat {
      types.append(try type())
    } while accept(",")
    guard types.count == count else {
      throw TextParseError(
        at: position, "\(count) result\(count == 1 ? "" : "s") but \(types.count) type\(types.count == 1 ? "" : "s")")
    }
    return types
  }

  // MARK: - Prologues and epilogues

  /// `prologue(scale_shift)` or `prologue(scale_shift, relu)`; `nil` when absent.
  private mutating func prologueClause() throws(TextParseError) -> (prologue: ConvPrologue, position: SourcePosition)? {
    guard case .identifier("prologue") = current.kind else { return nil }
    let position = current.position
    advance()
    try expect("(", "expected '(' after 'prologue'")
    guard case .identifier("scale_shift") = current.kind else {
      throw unexpected("expected 'scale_shift' first in the prologue")
    }
    advance()
    var prologue = ConvPrologue()
    if accept(",") {
      prologue.activation = try Activation(parsing: try call())
    }
    try expect(")", "expected ')' to close the prologue")
    return (prologue, position)
  }

  private struct EpilogueClause {
    var epilogue: Epilogue
    var position: SourcePosition
    /// The value written after `residual` (`nil` for `_`), when there is one.
    var residual: (value: ValueID?, position: SourcePosition)?
  }

  /// `epilogue(residual %skip, relu)`, `epilogue(relu)`, `epilogue(residual %skip)`; `nil` when absent.
  private mutating func epilogueClause() throws(TextParseError) -> EpilogueClause? {
    guard case .identifier("epilogue") = current.kind else { return nil }
    var clause = EpilogueClause(epilogue: .none, position: current.position, residual: nil)
    advance()
    try expect("(", "expected '(' after 'epilogue'")
    var needsActivation = true
    if case .identifier("residual") = current.kind {
      advance()
      let position = current.position
      clause.residual = (try operand(), position)
      clause.epilogue.residual = true
      needsActivation = accept(",")
    }
    if needsActivation {
      clause.epilogue.activation = try Activation(parsing: try call())
    }
    try expect(")", "expected ')' to close the epilogue")
    return clause
  }

  /// Only conv, gemm, matMul and scaleShift carry epilogues, and the residual written in the clause must be
  /// the value in the residual operand slot, so the two spellings of one fact cannot disagree.
  private func checkEpilogue(_ clause: EpilogueClause, of op: Op, opType: String, operands: [ValueID?])
    throws(TextParseError)
  {
    guard op.epilogue != nil else { throw TextParseError(at: clause.position, "\(opType) cannot carry an epilogue") }
    guard let residual = clause.residual else { return }
    let slot = Op.residualSlot < operands.count ? operands[Op.residualSlot] : nil
    guard residual.value == slot else {
      let written = residual.value.map { TextSpelling.reference(graph, $0) } ?? "_"
      let actual = slot.map { TextSpelling.reference(graph, $0) } ?? "_"
      throw TextParseError(
        at: residual.position,
        "epilogue residual \(written) does not match the node's residual operand (slot \(Op.residualSlot): \(actual))")
    }
  }

  // MARK: - Attributes

  /// `{name=value, ...}`
  private mutating func attributeList() throws(TextParseError) -> [ParsedAttribute] {
    try expect("{", "expected '{'")
    var attributes: [ParsedAttribute] = []
    if accept("}") { return attributes }
    repeat {
      attributes.append(try namedValue(allowLists: true))
    } while accept(",")
    try expect("}", "expected ',' or '}' after an attribute")
    return attributes
  }

  /// `name=value`. Call parameters are scalars (`allowLists: false`), which is what keeps nesting shallow.
  private mutating func namedValue(allowLists: Bool) throws(TextParseError) -> ParsedAttribute {
    guard case .identifier(let name) = current.kind else { throw unexpected("expected an attribute name") }
    let position = current.position
    advance()
    try expect("=", "expected '=' after '\(name)'")
    return ParsedAttribute(name: name, position: position, value: try attributeValue(allowLists: allowLists))
  }

  /// `3`, `1e-05`, `SAME_UPPER`, `f32 0.5`, `[1,1]`, `[Sigmoid, HardSigmoid(alpha=0.2, beta=0.5)]`.
  private mutating func attributeValue(allowLists: Bool) throws(TextParseError) -> ParsedValue {
    let position = current.position
    switch current.kind {
    case .number(let text):
      advance()
      return .number(text, position)
    case .identifier(let word):
      advance()
      if let number = numberText(current.kind) {
        advance()
        return .typedNumber(dtype: word, number: number, position)
      }
      return .word(word, position)
    case .punctuation("[") where allowLists:
      return try list()
    default:
      throw unexpected("expected a value")
    }
  }

  /// `[...]` of numbers and calls.
  private mutating func list() throws(TextParseError) -> ParsedValue {
    let position = current.position
    try expect("[", "expected '['")
    var elements: [ParsedValue] = []
    if accept("]") { return .list(elements, position) }
    repeat {
      if case .number(let text) = current.kind {
        elements.append(.number(text, current.position))
        advance()
      } else {
        let call = try call()
        elements.append(call.parameters.isEmpty ? .word(call.name, call.position) : .call(call))
      }
    } while accept(",")
    try expect("]", "expected ',' or ']' in a list")
    return .list(elements, position)
  }

  /// `relu`, `clip(min=0.0, max=6.0)`.
  private mutating func call() throws(TextParseError) -> ParsedCall {
    guard case .identifier(let name) = current.kind else { throw unexpected("expected a value or a function name") }
    var call = ParsedCall(name: name, position: current.position, parameters: [])
    advance()
    guard accept("(") else { return call }
    if accept(")") { return call }
    repeat {
      call.parameters.append(try namedValue(allowLists: false))
    } while accept(",")
    try expect(")", "expected ',' or ')' after a parameter")
    return call
  }

  // MARK: - Types and constants

  /// `f32[1,64,N,?]`, `f32[]`.
  private mutating func type() throws(TextParseError) -> TensorType {
    guard case .identifier(let word) = current.kind, let dtype = DType(rawValue: word) else {
      let dtypes = DType.allCases.map(\.rawValue).joined(separator: ", ")
      throw unexpected("expected a type such as f32[1,3] (element types: \(dtypes))")
    }
    advance()
    try expect("[", "expected '[' after '\(word)'")
    var shape: [Dim] = []
    if accept("]") { return TensorType(dtype, shape) }
    repeat {
      shape.append(try dim())
    } while accept(",")
    try expect("]", "expected ',' or ']' in the shape")
    return TensorType(dtype, shape)
  }

  /// `64`, `N`, `"batch size"`, `?`.
  private mutating func dim() throws(TextParseError) -> Dim {
    let dim: Dim
    switch current.kind {
    case .number(let text):
      guard let value = Int(text) else { throw unexpected("a dimension must be an integer, a symbol or '?'") }
      dim = .known(value)
    case .identifier(let symbol), .string(let symbol):
      dim = .symbol(symbol)
    case .punctuation("?"):
      dim = .unknown
    default:
      throw unexpected("expected a dimension (an integer, a symbol or '?')")
    }
    advance()
    return dim
  }

  /// A constant's dimensions must be numbers, and its size small enough to hold in memory.
  private func constantDims(_ type: TensorType, at position: SourcePosition) throws(TextParseError)
    -> (dims: [Int], count: Int)
  {
    guard let dims = type.knownDims, dims.allSatisfy({ $0 >= 0 }) else {
      throw TextParseError(at: position, "a constant's dimensions must be non-negative integers")
    }
    guard let count = TensorType.checkedProduct(dims),
      case (let bytes, let overflow) = count.multipliedReportingOverflow(by: type.dtype.byteWidth),
      !overflow, bytes <= ConstantSynthesis.maximumBytes
    else {
      throw TextParseError(at: position, "constant of type \(TextSpelling.type(type)) is larger than 1 GiB")
    }
    return (dims, count)
  }

  /// Sixteen hex digits (one to sixteen are accepted).
  private mutating func fingerprint() throws(TextParseError) -> UInt64 {
    let text: String
    switch current.kind {
    case .number(let t), .identifier(let t): text = t
    default: throw unexpected("expected a fingerprint of 16 hex digits")
    }
    guard (1...16).contains(text.unicodeScalars.count), text.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit),
      let value = UInt64(text, radix: 16)
    else { throw unexpected("expected a fingerprint of 16 hex digits") }
    advance()
    return value
  }

  /// `[1,-1]`: exactly `count` elements of `dtype`.
  private mutating func literal(_ dtype: DType, count: Int) throws(TextParseError) -> TensorBytes {
    let position = current.position
    try expect("[", "expected '[' and the constant's values")
    var elements: [(text: String, position: SourcePosition)] = []
    if !(accept("]")) {
      repeat {
        guard let text = numberText(current.kind) else { throw unexpected("expected a number") }
        elements.append((text, current.position))
        advance()
      } while accept(",")
      try expect("]", "expected ',' or ']' after a value")
    }
    guard elements.count == count else {
      throw TextParseError(at: position, "\(elements.count) values given for a constant of \(count) elements")
    }
    return try ConstantLiteral.bytes(dtype, elements: elements)
  }

  // MARK: - Values

  /// `%x`, `@w`, or `_` (an absent optional operand, returned as `nil`).
  private mutating func operand() throws(TextParseError) -> ValueID? {
    let token = current
    switch token.kind {
    case .identifier("_"):
      advance()
      return nil
    case .valueName(let name):
      let definition = try lookUp(name, at: token.position, sigil: "%")
      guard !definition.isConstant else {
        throw TextParseError(at: token.position, "'\(name)' is a constant; refer to it as @\(TextSpelling.name(name))")
      }
      advance()
      return definition.value
    case .constantName(let name):
      let definition = try lookUp(name, at: token.position, sigil: "@")
      guard definition.isConstant else {
        throw TextParseError(
          at: token.position, "'\(name)' is not a constant; refer to it as %\(TextSpelling.name(name))")
      }
      advance()
      return definition.value
    default:
      throw unexpected("expected an operand (%value, @constant or _)")
    }
  }

  private func lookUp(_ name: String, at position: SourcePosition, sigil: String) throws(TextParseError) -> Definition {
    guard let definition = definitions[name] else {
      throw TextParseError(at: position, "undefined value \(sigil)\(TextSpelling.name(name))")
    }
    return definition
  }

  private func checkNotDefined(_ name: String, at position: SourcePosition) throws(TextParseError) {
    if name.isEmpty { throw TextParseError(at: position, "a value name cannot be empty") }
    if let earlier = definitions[name] {
      let sigil = earlier.isConstant ? "@" : "%"
      throw TextParseError(
        at: position,
        "duplicate definition of \(sigil)\(TextSpelling.name(name)) (first defined at line \(earlier.position.line))")
    }
  }

  // MARK: - Tokens

  /// The lexer always ends the token list with `.end`, and `advance` never moves past it.
  private var current: TextToken { tokens[index] }

  private mutating func advance() {
    if index < tokens.count - 1 { index += 1 }
  }

  /// Consumes the punctuation if it is next.
  private mutating func accept(_ punctuation: Unicode.Scalar) -> Bool {
    guard current.kind == .punctuation(punctuation) else { return false }
    advance()
    return true
  }

  private mutating func expect(_ punctuation: Unicode.Scalar, _ message: String) throws(TextParseError) {
    guard accept(punctuation) else { throw unexpected(message) }
  }

  private mutating func expectKeyword(_ keyword: String, _ message: String) throws(TextParseError) {
    guard current.kind == .identifier(keyword) else { throw unexpected(message) }
    advance()
  }

  private mutating func string(_ message: String) throws(TextParseError) -> String {
    guard case .string(let text) = current.kind else { throw unexpected(message) }
    advance()
    return text
  }

  /// The text of a number token, or of a word spelling one (`nan`, `inf`).
  private func numberText(_ kind: TextToken.Kind) -> String? {
    switch kind {
    case .number(let text): text
    case .identifier(let text): Double(text) == nil ? nil : text
    default: nil
    }
  }

  /// "expected X, found Y" at the current token.
  private func unexpected(_ expectation: String) -> TextParseError {
    TextParseError(at: current.position, "\(expectation), found \(current.kind)")
  }
}
