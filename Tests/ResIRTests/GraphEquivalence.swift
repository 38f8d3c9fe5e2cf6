import ResIR
import Testing

/// Checks that two graphs say the same thing, comparing by value names rather than IDs (the parser assigns
/// IDs in parse order).
enum GraphEquivalence {
  static func expectEquivalent(_ a: Graph, _ b: Graph, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.name == b.name, sourceLocation: sourceLocation)
    #expect(signature(a.inputs, a) == signature(b.inputs, b), sourceLocation: sourceLocation)
    #expect(signature(a.outputs, a) == signature(b.outputs, b), sourceLocation: sourceLocation)
    #expect(a.nodes.count == b.nodes.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a.nodes, b.nodes) {
      #expect(x.name == y.name, sourceLocation: sourceLocation)
      #expect(x.op == y.op, "node \(x.name)", sourceLocation: sourceLocation)
      #expect(
        x.inputs.map { $0.map { a[$0].name } } == y.inputs.map { $0.map { b[$0].name } }, sourceLocation: sourceLocation
      )
      #expect(signature(x.outputs, a) == signature(y.outputs, b), sourceLocation: sourceLocation)
    }
    let constantsA = a.liveConstants()
    let constantsB = b.liveConstants()
    #expect(signature(constantsA, a) == signature(constantsB, b), sourceLocation: sourceLocation)
    for (x, y) in zip(constantsA, constantsB) {
      guard let cx = a.constant(x), let cy = b.constant(y) else {
        Issue.record("constant expected", sourceLocation: sourceLocation)
        continue
      }
      #expect(cx.fingerprint == cy.fingerprint, "constant \(a[x].name)", sourceLocation: sourceLocation)
      if cx.elementCount <= 16 {
        #expect(bytes(cx) == bytes(cy), "constant \(a[x].name)", sourceLocation: sourceLocation)
      }
    }
  }

  static func signature(_ values: [ValueID], _ graph: Graph) -> [String] {
    values.map { "\(graph[$0].name): \(graph.type(of: $0))" }
  }

  static func bytes(_ constant: Constant) -> [UInt8] {
    constant.bytes.withUnsafeBytes { Array($0) }
  }
}
