import ResIR
import ResPasses
import Testing

/// GELU recognition's constant tolerance (ConstantTolerance): a float16 model's constants, rounded to half
/// precision, are still GELU's; a float32 constant off by more than rounding is another function. Checked
/// structurally: the golden harness cannot compare a float16 decomposition with one Gelu to 1e-5.
@Suite struct GeluRecognitionTests {
  /// The PyTorch Erf form with `sqrt2` as the divisor, in `dtype`.
  static func erfForm(_ dtype: String, sqrt2: String) -> String {
    """
    graph "gelu" {
      input %x: \(dtype)[2,8]
      const @sqrt2: \(dtype)[] = [\(sqrt2)]
      const @one: \(dtype)[] = [1.0]
      const @half: \(dtype)[] = [0.5]
      %d = Div "div" (%x, @sqrt2) : \(dtype)[2,8]
      %e = Erf "erf" (%d) : \(dtype)[2,8]
      %a = Add "add" (%e, @one) : \(dtype)[2,8]
      %m = Mul "mul" (%x, %a) : \(dtype)[2,8]
      %y = Mul "mul_1" (%m, @half) : \(dtype)[2,8]
      return %y
    }
    """
  }

  static func recognized(_ text: String) throws -> Bool {
    var graph = try TextFormat.parse(text)
    try Verifier.verify(graph)
    var context = PassContext()
    let pass = try #require(Pipeline.pass(named: "recognize-gelu"))
    try PassManager(passes: [pass]).run(&graph, context: &context)
    return graph.nodes.map(\.op) == [.unary(.gelu(.none))]
  }

  @Test func halfPrecisionConstantsAreRecognized() throws {
    // √2 rounded to float16 is 1.4140625, 1.1e-4 away from √2.
    #expect(try Self.recognized(Self.erfForm("f16", sqrt2: "1.4140625")))
  }

  /// A float32 constant must be within float32 rounding of √2, or exactly √2 rounded to float16 (a float16
  /// model computed in float32 by `promote-float16` carries its constants widened from float16); a value
  /// near that rounding but not it is another function.
  @Test func singlePrecisionConstantMustBeWithinRounding() throws {
    #expect(try Self.recognized(Self.erfForm("f32", sqrt2: "1.4142135")))
    #expect(try Self.recognized(Self.erfForm("f32", sqrt2: "1.4140625")))
    #expect(try !Self.recognized(Self.erfForm("f32", sqrt2: "1.41406")))
    #expect(try !Self.recognized(Self.erfForm("f32", sqrt2: "1.4150")))
  }
}
