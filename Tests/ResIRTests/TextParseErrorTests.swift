import ResIR
import Testing

@Suite struct TextParseErrorTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var column: Int
    var message: String
    var testDescription: String { message }
  }

  /// A small valid graph with line `replacing` swapped for `line` (1-based).
  static func graph(replacing number: Int? = nil, with line: String = "") -> String {
    var lines = [
      #"graph "g" {"#,
      "  input %x: f32[1,4]",
      "  const @s: i64[2] = [1,-1]",
      #"  %y = Relu "r" (%x) : f32[1,4]"#,
      "  return %y",
      "}",
    ]
    if let number { lines[number - 1] = line }
    return lines.joined(separator: "\n") + "\n"
  }

  static let cases: [Case] = [
    Case(text: "", line: 1, column: 1, message: "expected 'graph' at the start of the text, found end of input"),
    Case(
      text: graph(replacing: 2, with: "  input %x f32[1,4]"), line: 2, column: 12,
      message: "expected ':' after value name, found 'f32'"),
    Case(
      text: graph(replacing: 2, with: "  input %x: f33[1,4]"), line: 2, column: 13,
      message: "expected a type such as f32[1,3] (element types: f32, f16, f64, i64, i32, i8, u8, bool), found 'f33'"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relux "r" (%x) : f32[1,4]"#), line: 4, column: 8,
      message: "unknown op 'Relux'"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (%z) : f32[1,4]"#), line: 4, column: 18,
      message: "undefined value %z"),
    Case(
      text: graph(replacing: 4, with: #"  %x = Relu "r" (%x) : f32[1,4]"#), line: 4, column: 3,
      message: "duplicate definition of %x (first defined at line 2)"),
    Case(
      text: graph(replacing: 4, with: #"  %s = Relu "r" (%x) : f32[1,4]"#), line: 4, column: 3,
      message: "duplicate definition of @s (first defined at line 3)"),
    Case(
      text: graph(replacing: 4, with: #"  %y, %y = Split "s" (%x) {axis=1, split=[2,2]} : f32[1,2], f32[1,2]"#),
      line: 4,
      column: 7, message: "duplicate definition of %y (first defined at line 4)"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Flatten "f" (%x) {axis=[1]} : f32[1,4]"#), line: 4, column: 31,
      message: "attribute 'axis' of Flatten must be an integer"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Flatten "f" (%x) {axis=1.5} : f32[1,4]"#), line: 4, column: 31,
      message: "attribute 'axis' of Flatten must be an integer"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Reshape "f" (%x, @s) {allowzero=2} : f32[1,4]"#), line: 4, column: 40,
      message: "attribute 'allowzero' of Reshape must be 0 or 1"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Pad "p" (%x) {mode=mirror, pads=[0,0,0,0]} : f32[1,4]"#), line: 4,
      column: 27, message: "attribute 'mode' of Pad must be one of constant, reflect, edge, wrap"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Flatten "f" (%x) : f32[1,4]"#), line: 4, column: 8,
      message: "Flatten is missing attribute 'axis'"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (%x) {alpha=1.0} : f32[1,4]"#), line: 4, column: 23,
      message: "unknown attribute 'alpha' for Relu"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Flatten "f" (%x) {axis=1, axis=2} : f32[1,4]"#), line: 4, column: 34,
      message: "duplicate attribute 'axis'"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r (%x) : f32[1,4]"#), line: 4, column: 13,
      message: "unterminated string"),
    Case(
      text: graph(replacing: 1, with: #"graph "a\qb" {"#), line: 1, column: 9,
      message: "invalid escape sequence in string"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (%x) epilogue(relu) : f32[1,4]"#), line: 4, column: 22,
      message: "Relu cannot carry an epilogue"),
    Case(
      text: graph(replacing: 4, with: #"  %y = MatMul "m" (%x, %x) epilogue(swish) : f32[1,4]"#), line: 4, column: 37,
      message:
        "unknown activation 'swish' (expected relu, clip, leaky_relu, sigmoid, tanh, hard_sigmoid, hard_swish, silu, mish, elu, gelu or requantize)"
    ),
    Case(
      text: graph(replacing: 4, with: #"  %y = MatMul "m" (%x, %x) epilogue(clip(min=0.0)) : f32[1,4]"#), line: 4,
      column: 37, message: "clip is missing parameter 'max'"),
    Case(
      text: graph(replacing: 4, with: #"  %y = MatMul "m" (%x, %x, _, %x) epilogue(residual _, relu) : f32[1,4]"#),
      line: 4, column: 53, message: "epilogue residual _ does not match the node's residual operand (slot 3: %x)"),
    Case(
      text: graph(replacing: 3, with: "  const @s: i64[2] = [1,-1,3]"), line: 3, column: 22,
      message: "3 values given for a constant of 2 elements"),
    Case(
      text: graph(replacing: 3, with: "  const @s: i8[2] = [1,200]"), line: 3, column: 24,
      message: "'200' is not a valid i8 value"),
    Case(
      text: graph(replacing: 3, with: "  const @s: i64[N] = [1]"), line: 3, column: 13,
      message: "a constant's dimensions must be non-negative integers"),
    Case(
      text: graph(replacing: 3, with: "  const @s: f32[65536,65536] fingerprint 0"), line: 3, column: 13,
      message: "constant of type f32[65536,65536] is larger than 1 GiB"),
    Case(
      text: graph(replacing: 3, with: "  const @s: f32[2] fingerprint 12345678901234567"), line: 3, column: 32,
      message: "expected a fingerprint of 16 hex digits, found '12345678901234567'"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (@x) : f32[1,4]"#), line: 4, column: 18,
      message: "'x' is not a constant; refer to it as %x"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (%s) : f32[1,4]"#), line: 4, column: 18,
      message: "'s' is a constant; refer to it as @s"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (%x) : f32[1,4], f32[1]"#), line: 4, column: 24,
      message: "1 result but 2 types"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (%x) : f32[1,4"#), line: 5, column: 3,
      message: "expected ',' or ']' in the shape, found 'return'"),
    Case(
      text: graph(
        replacing: 4,
        with:
          #"  %y = Conv "c" (%x, %x) {auto_pad=SAME_UPPER, dilations=[1], group=1, kernel_shape=[1], pads=[0,0], strides=[1]} : f32[1,4]"#
      ),
      line: 4, column: 36, message: "give either 'pads' or 'auto_pad', not both"),
    Case(
      text: graph(
        replacing: 4,
        with:
          #"  %y = Conv "c" (%x, %x) {auto_pad=VALID, dilations=[1], group=1, kernel_shape=[1], strides=[1]} : f32[1,4]"#
      ),
      line: 4, column: 36, message: "attribute 'auto_pad' of Conv must be SAME_UPPER or SAME_LOWER"),
    Case(
      text: graph(replacing: 4, with: #"  %y = ConstantOfShape "c" (%x) {value=0.5} : f32[1,4]"#), line: 4, column: 40,
      message: "attribute 'value' of ConstantOfShape must be a dtype and a number, such as 'f32 0.0'"),
    Case(
      text: graph(
        replacing: 4,
        with:
          #"  %y = LSTM "l" (%x) {activations=[Sigmoid, Swish, Tanh], direction=forward, hidden_size=1, input_forget=0, layout=0} : f32[1,4]"#
      ),
      line: 4, column: 45, message: "unknown recurrent activation 'Swish'"),
    Case(
      text: graph(replacing: 4, with: #"  %y = Relu "r" (%x) : f32[1,4] $"#), line: 4, column: 33,
      message: "unexpected character '$'"),
    Case(
      text: graph(replacing: 5, with: ""), line: 6, column: 1,
      message: "expected 'input', 'const', a node or 'return', found '}'"),
    Case(
      text: graph(replacing: 5, with: "  return _"), line: 5, column: 10, message: "a graph output cannot be '_'"),
    Case(
      text: graph(replacing: 6, with: "} x"), line: 6, column: 3,
      message: "expected the end of the text after the graph's '}', found 'x'"),
    Case(
      text: graph(replacing: 2, with: #"  input %"": f32[1,4]"#), line: 2, column: 9,
      message: "a value name cannot be empty"),
    Case(
      text: graph(replacing: 2, with: "  input % x: f32[1,4]"), line: 2, column: 10,
      message: "expected a name after '%'"),
    Case(
      text: graph(replacing: 2, with: "  input %\"ä\u{1}: f32[1,4]"), line: 2, column: 10,
      message: "unterminated string"),
  ]

  @Test(arguments: cases) func reportsLineAndColumn(_ c: Case) {
    do {
      let graph = try TextFormat.parse(c.text)
      Issue.record("parsed, but expected an error; printed: \(TextFormat.print(graph))")
    } catch {
      #expect(error.line == c.line)
      #expect(error.column == c.column)
      #expect(error.message == c.message)
    }
  }

  @Test func descriptionNamesLineAndColumn() {
    let error = TextParseError(line: 4, column: 17, "expected ':' after value name")
    #expect(error.description == "line 4, column 17: expected ':' after value name")
  }

  /// The unmodified base graph parses: the cases above fail because of their one change.
  @Test func baseGraphParses() throws {
    let graph = try TextFormat.parse(Self.graph())
    // `@s` is used by nothing, so it does not print.
    #expect(
      TextFormat.print(graph) == Self.graph(replacing: 3, with: "  // unused").split(separator: "\n").filter {
        !$0.hasSuffix("unused")
      }.joined(separator: "\n") + "\n")
  }

  /// Columns count Unicode scalars, not bytes.
  @Test func columnsCountCharacters() {
    let text = "graph \"ü名\" ?"
    #expect(throws: TextParseError(line: 1, column: 12, "expected '{' after the graph name, found '?'")) {
      try TextFormat.parse(text)
    }
  }
}
