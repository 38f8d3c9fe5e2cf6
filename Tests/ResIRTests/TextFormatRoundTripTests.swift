import ResIR
import Testing

@Suite struct TextFormatRoundTripTests {
  /// print → parse → print is byte-identical, and the parsed graph says the same as the original.
  private func roundTrip(_ graph: Graph, sourceLocation: SourceLocation = #_sourceLocation) throws -> Graph {
    let text = TextFormat.print(graph)
    let parsed = try TextFormat.parse(text)
    #expect(TextFormat.print(parsed) == text, sourceLocation: sourceLocation)
    GraphEquivalence.expectEquivalent(graph, parsed, sourceLocation: sourceLocation)
    return parsed
  }

  @Test func everyOpRoundTrips() throws {
    let graph = DumpSampleGraphs.everyOp()
    let types = Set(graph.nodes.map(\.op.onnxName))
    #expect(types == DumpSampleGraphs.everyOpType)
    _ = try roundTrip(graph)
  }

  @Test func oddNamesRoundTrip() throws {
    let parsed = try roundTrip(DumpSampleGraphs.oddNames())
    #expect(parsed.nodes[1].name == "名前 \u{7}\n")
    #expect(parsed.type(of: parsed.inputs[0]).shape == [.symbol("batch size"), .symbol("?"), .known(3)])
    let text = TextFormat.print(parsed)
    #expect(text.contains(#"%"quote\"back\\slash""#))
    #expect(text.contains(#"Relu "名前 \u{7}\n""#))
    #expect(text.contains("%/layer1/layer1.0/Relu_output_0 = "))
    // Invisible characters (here a right-to-left override) are escaped, so nothing hides in an editor.
    #expect(text.contains(#"input %"input with space \u{202e}": f32["batch size","?",3]"#))
  }

  @Test func resnetBlockRoundTrips() throws {
    _ = try roundTrip(DumpSampleGraphs.resnetBlock())
  }

  @Test func malformedGraphRoundTrips() throws {
    _ = try roundTrip(DumpSampleGraphs.malformed())
    #expect(
      TextFormat.print(DumpSampleGraphs.malformed()) == """
        graph "malformed" {
          input %x: f32[2,2]
          %y = MatMul "mm" (%x, %x) epilogue(residual _) : f32[2,2]
          Identity "sink" (%y)
          %z = Relu "nothing" () : f32[]
          return %y, %z, %x
        }

        """)
  }

  @Test func emptyGraphRoundTrips() throws {
    let parsed = try roundTrip(Graph(name: ""))
    #expect(TextFormat.print(parsed) == "graph \"\" {\n  return\n}\n")
  }

  /// A 10,000-node chain prints and parses without recursing over the nodes.
  @Test func longChainRoundTrips() throws {
    let parsed = try roundTrip(DumpSampleGraphs.chain(10_000))
    #expect(parsed.nodes.count == 10_000)
  }

  /// Weights printed as a fingerprint come back as deterministic stand-ins that keep the fingerprint.
  @Test func fingerprintedConstantsAreSynthesizedDeterministically() throws {
    let text = """
      graph "g" {
        const @w: f32[4,8] fingerprint 00000000000000ff
        const @h: f16[20] fingerprint 1
        const @d: f64[20] fingerprint 2
        const @i: i64[20] fingerprint 3
        const @k: i32[20] fingerprint 4
        const @j: i8[20] fingerprint 5
        const @u: u8[20] fingerprint 6
        const @b: bool[20] fingerprint 7
        return @w, @h, @d, @i, @k, @j, @u, @b
      }
      """
    let first = try TextFormat.parse(text)
    let second = try TextFormat.parse(text)
    for (a, b) in zip(first.outputs, second.outputs) {
      let ca = try #require(first.constant(a))
      let cb = try #require(second.constant(b))
      #expect(GraphEquivalence.bytes(ca) == GraphEquivalence.bytes(cb))
      #expect(Set(ca.doubles()).count > 1, "synthesized data should vary: \(first[a].name)")
      switch ca.dtype {
      case .float32, .float16, .float64: #expect(ca.doubles().allSatisfy { $0 >= -1 && $0 < 1 })
      case .int64, .int32, .int8: #expect(ca.integers().allSatisfy { (-8...8).contains($0) })
      case .uint8: #expect(ca.integers().allSatisfy { (0...15).contains($0) })
      case .bool: #expect(ca.integers().allSatisfy { $0 == 0 || $0 == 1 })
      }
    }
    let w = try #require(first.constant(first.outputs[0]))
    #expect(w.fingerprint == 0xff)
    #expect(TextFormat.print(first).contains("const @w: f32[4,8] fingerprint 00000000000000ff\n"))
    #expect(TextFormat.print(first).contains("const @h: f16[20] fingerprint 0000000000000001\n"))
  }

  /// Small constants print their exact values, including special floats, and read back bit for bit.
  @Test func smallConstantsPrintExactValues() throws {
    var g = Graph(name: "values")
    let f = g.addConstant(
      name: "f",
      Constant(
        floats: [0.1, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude], dims: [7]))
    let h = g.addConstant(
      name: "h",
      Constant(
        dtype: .float16, dims: [3],
        bytes: TensorBytes(copyingScalars: [
          Float16(0.1).bitPattern, Float16(65504).bitPattern, Float16(-6e-8).bitPattern,
        ])))
    let d = g.addConstant(name: "d", Constant(dtype: .float64, dims: [2], doubles: [0.1, 1e300]))
    let i8 = g.addConstant(name: "i8", Constant(dtype: .int8, dims: [2], doubles: [-128, 127]))
    let u8 = g.addConstant(name: "u8", Constant(dtype: .uint8, dims: [2], doubles: [0, 255]))
    let b = g.addConstant(name: "b", Constant(dtype: .bool, dims: [2, 1], doubles: [1, 0]))
    let i32 = g.addConstant(name: "i32", Constant(dtype: .int32, dims: [1], doubles: [-2_147_483_648]))
    let i64 = g.addConstant(name: "i64", Constant(int64s: [Int64.min, Int64.max], dims: [2]))
    let empty = g.addConstant(name: "empty", Constant(int64s: [], dims: [0]))
    g.outputs = [f, h, d, i8, u8, b, i32, i64, empty]
    let text = TextFormat.print(g)
    #expect(text.contains("const @f: f32[7] = [0.1,-0.0,inf,-inf,nan,1e-45,3.4028235e+38]\n"))
    #expect(text.contains("const @h: f16[3] = [0.1,65504.0,-6e-08]\n"))
    #expect(text.contains("const @d: f64[2] = [0.1,1e+300]\n"))
    #expect(text.contains("const @i64: i64[2] = [-9223372036854775808,9223372036854775807]\n"))
    #expect(text.contains("const @empty: i64[0] = []\n"))
    let parsed = try roundTrip(g)
    let parsedF = try #require(parsed.constant(parsed.outputs[0]))
    #expect(parsedF.double(at: 4).isNaN)
  }

  @Test func deadValuesAreNotPrinted() throws {
    let graph = DumpSampleGraphs.everyOp()
    #expect(!TextFormat.print(graph).contains("@dead"))
  }

  @Test func printingIsDeterministic() {
    #expect(TextFormat.print(DumpSampleGraphs.everyOp()) == TextFormat.print(DumpSampleGraphs.everyOp()))
  }

  /// Hand-written text may use comments, any whitespace, `1` for a float and constants declared late.
  @Test func parserAcceptsHandWrittenText() throws {
    let text = """
      // a hand-written pass input
      graph "g" { input %x: f32[1,4]   // trailing comment
        const @two: f32[] = [2]
        %y = LeakyRelu "l" (%x) {alpha=1} : f32[1,4]
        const @late: f32[] = [nan]
        %z = Mul "m" (%y, @late) : f32[1,4] return %z }
      """
    let graph = try TextFormat.parse(text)
    #expect(graph.nodes.map(\.op) == [.unary(.leakyRelu(alpha: 1)), .binary(.mul)])
    #expect(
      TextFormat.print(graph) == """
        graph "g" {
          input %x: f32[1,4]
          const @late: f32[] = [nan]
          %y = LeakyRelu "l" (%x) {alpha=1.0} : f32[1,4]
          %z = Mul "m" (%y, @late) : f32[1,4]
          return %z
        }

        """)
  }

  /// An attribute of the wrong op's flavor (`count_include_pad` on MaxPool, `linear_before_reset` on LSTM)
  /// appears only when set, and survives the round trip either way.
  @Test func flavorAttributesAppearOnlyWhenSet() throws {
    let text = TextFormat.print(DumpSampleGraphs.everyOp())
    #expect(
      text.contains(
        #"MaxPool "maxpool" (%where_out0) {ceil_mode=1, dilations=[1,1], kernel_shape=[3,3], pads=[1,1,1,1], strides=[2,2]}"#
      ))
    #expect(text.contains("count_include_pad=1, dilations=[1,1]"))
    #expect(text.contains("direction=reverse, hidden_size=8, layout=0, linear_before_reset=0}"))
  }
}
