import ResIR
import ResPasses
import ResReference
import Testing

/// Every operand order of both gated-skip forms becomes `GatedSkip(T, H, X)` with T, H and X in their roles,
/// and computes what the unfused expression computes.
@Suite struct GatedSkipFormTests {
  /// One spelling of the combination: the node lines that compute `%y` from `%t`, `%h` and `%x`.
  struct Spelling: Sendable, CustomTestStringConvertible {
    var lines: [String]
    var testDescription: String { lines.joined(separator: "; ") }
  }

  static func pair(_ a: String, _ b: String, swapped: Bool) -> String { swapped ? "\(b), \(a)" : "\(a), \(b)" }

  /// `T·H + (1 − T)·X`: the Add, the gated Mul and the carried Mul each either way round (8 spellings).
  static let convex: [Spelling] = [false, true].flatMap { addSwapped in
    [false, true].flatMap { gatedSwapped in
      [false, true].map { carriedSwapped in
        Spelling(lines: [
          "%th = Mul \"mul\" (\(pair("%t", "%h", swapped: gatedSwapped))) : f32[3,5]",
          "%carry = Sub \"sub\" (@one, %t) : f32[3,5]",
          "%cx = Mul \"mul_1\" (\(pair("%carry", "%x", swapped: carriedSwapped))) : f32[3,5]",
          "%y = Add \"add\" (\(pair("%th", "%cx", swapped: addSwapped))) : f32[3,5]",
        ])
      }
    }
  }

  /// `X + T·(H − X)`: the Add and the Mul each either way round (4 spellings).
  static let interpolated: [Spelling] = [false, true].flatMap { addSwapped in
    [false, true].map { productSwapped in
      Spelling(lines: [
        "%d = Sub \"sub\" (%h, %x) : f32[3,5]",
        "%step = Mul \"mul\" (\(pair("%t", "%d", swapped: productSwapped))) : f32[3,5]",
        "%y = Add \"add\" (\(pair("%x", "%step", swapped: addSwapped))) : f32[3,5]",
      ])
    }
  }

  static func graph(_ spelling: Spelling) -> String {
    """
    graph "highway" {
      input %x: f32[3,5]
      input %h: f32[3,5]
      input %g: f32[3,5]
      const @one: f32[] = [1.0]
      %t = Sigmoid "gate" (%g) : f32[3,5]
      \(spelling.lines.joined(separator: "\n  "))
      return %y
    }
    """
  }

  @Test(arguments: convex + interpolated)
  func everySpellingFusesWithTheRolesRight(_ spelling: Spelling) throws {
    let input = try TextFormat.parse(Self.graph(spelling))
    let run = try PassRun(["fuse-gated-skip", "dead-code"], on: input)
    let graph = run.graph
    #expect(run.applied("fuse-gated-skip") == 1)
    #expect(graph.nodes.map(\.op.onnxName) == ["Sigmoid", "GatedSkip"])
    let fused = try #require(graph.nodes.last)
    #expect(fused.inputs.map { $0.map { graph[$0].name } } == ["t", "h", "x"])
    #expect(fused.name == "add" && graph.outputs == input.outputs)

    let inputs = try SeededInputs.make(for: input, seed: 11)
    let expected = try ReferenceEvaluator.evaluate(input, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    for (a, e) in zip(actual, expected) {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: 1e-6, atol: 1e-6)
      #expect(comparison.passed, "\(comparison)")
    }
  }
}
