import Foundation
import ResIR
import Testing

@Suite struct DOTDumpTests {
  /// Braces outside quoted strings, which is what Graphviz sees as structure.
  private func structuralBraceBalance(_ text: String) -> (opens: Int, closes: Int, balanced: Bool) {
    var depth = 0
    var opens = 0
    var closes = 0
    var minimum = 0
    var inString = false
    var escaped = false
    for c in text {
      if inString {
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        continue
      }
      switch c {
      case "\"": inString = true
      case "{":
        depth += 1
        opens += 1
      case "}":
        depth -= 1
        closes += 1
        minimum = min(minimum, depth)
      default: break
      }
    }
    return (opens, closes, depth == 0 && minimum == 0 && !inString)
  }

  private func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }

  @Test func everyOpIsOneBoxPerNode() {
    let graph = DumpSampleGraphs.everyOp()
    let text = DOTDump.render(graph)
    #expect(text.hasPrefix("digraph \"every op\" {\n"))
    let balance = structuralBraceBalance(text)
    #expect(balance.balanced)
    #expect(balance.opens == 1)
    #expect(count("shape=box", in: text) == graph.nodes.count)
    #expect(count("shape=ellipse", in: text) == graph.inputs.count + graph.outputs.count)
    // One edge per non-constant operand, plus one per output that some node or input produces.
    let operandEdges = graph.nodes.reduce(0) { $0 + $1.presentInputs.filter { graph.constant($0) == nil }.count }
    let outputEdges = graph.outputs.filter { graph.constant($0) == nil }.count
    #expect(count(" -> ", in: text) == operandEdges + outputEdges)
    // Constants are listed in their consumer's label, never drawn.
    #expect(text.contains("\\n@w f32[8,4,3,3]"))
    #expect(text.contains("\\n@shape i64[2] = [1,-1]"))
    #expect(text.contains("epilogue(residual %x, relu)"))
  }

  @Test func residualEdgesAreDashed() {
    let text = DOTDump.render(DumpSampleGraphs.resnetBlock())
    #expect(text.contains("  input0 -> node1 [label=\"f32[N,4,8,8]\", style=dashed];\n"))
    #expect(count("style=dashed", in: text) == 1)
    #expect(count("fillcolor", in: text) == 2)
  }

  @Test func namesAreEscaped() {
    let text = DOTDump.render(DumpSampleGraphs.oddNames())
    #expect(structuralBraceBalance(text).balanced)
    #expect(text.hasPrefix(#"digraph "odd \"names\" \\ ünï\\u{9}code" {"#))
    #expect(text.contains(#"label="quote\"back\\slash\nf32[\"batch size\",\"?\",3]""#))
    #expect(text.contains(#"label="Relu\n名前 \\u{7}\\u{a}""#))
    // No raw control characters reach the file.
    #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
  }

  @Test func renderingIsDeterministic() {
    #expect(DOTDump.render(DumpSampleGraphs.everyOp()) == DOTDump.render(DumpSampleGraphs.everyOp()))
  }
}
