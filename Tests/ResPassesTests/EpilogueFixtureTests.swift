import Foundation
import ResIR
import ResONNX
import ResPasses
import ResReference
import ResTestSupport
import Testing

/// The -O2 pipeline on every committed model fixture: the graph verifies after every pass and the reference
/// evaluator computes the same outputs as before on the fixture's own test inputs. Prints, per fixture, what
/// fused and the most frequent reasons candidates were declined, and checks the fusions a fixture shows whole
/// (`expectedRemaining`).
@Suite struct EpilogueFixtureTests {

  @Test(arguments: FixtureList.names())
  func fusionKeepsOutputs(_ name: String) throws {
    let fixture = try FixtureList.fixture(named: name)
    var graph = try ONNXImporter.importModel(at: fixture.folder + "/model.onnx").graph
    let inputs = try fixture.testInputs()
    let before = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    var context = PassContext()
    try PassManager(passes: Pipeline.passes(for: .full), verifyEach: true).run(&graph, context: &context)
    let after = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    #expect(after.count == before.count)
    for (index, (actual, expected)) in zip(after, before).enumerated() {
      let comparison = ToleranceComparison(actual: actual, expected: expected, rtol: 1e-5, atol: 1e-5)
      #expect(comparison.passed, "\(name) output \(index): \(comparison)")
    }
    print(FusionSummary(fixture: name, context: context, graph: graph))
    for (op, count) in Self.expectedRemaining[name] ?? [] {
      #expect(graph.nodes.count { $0.op.onnxName == op } == count, "\(name): \(op) nodes left after fusion")
    }
  }

  /// How many nodes of an op must remain after -O2, where a fixture shows a pattern's whole effect: every
  /// ResNet v1 block's BatchNorms, Adds and ReLUs go; in a v2 (pre-activation) block the BNs after a conv fold
  /// and their ReLUs fuse, the Adds fuse, but the 4 ReLUs that follow a BatchNorm of a block's input stay
  /// (peer-pitfalls 17: no conv or Add before them); GELU is recognized in every transformer; a pre-LN
  /// layer's residual Adds fuse into their MatMuls and a post-LN layer's into their LayerNorms; a Highway
  /// layer's Mul/Sub/Add become one GatedSkip and its gate's Sigmoid goes into the gate's Gemm.
  static let expectedRemaining: [String: [(String, Int)]] = [
    "resnet_basic": [("BatchNormalization", 0), ("Add", 0), ("Relu", 0)],
    "resnet_basic_bn_folded": [("Add", 0), ("Relu", 0)],
    "resnet_preact": [("Add", 0), ("Relu", 0), ("BatchNormalization", 0)],
    "transformer_pre_ln": [("Erf", 0), ("Add", 0)],
    "transformer_post_ln": [("Erf", 0), ("Add", 0), ("LayerNormalization", 4)],
    "vit_tiny": [("Erf", 0)],
    "convnext": [("Erf", 0)],
    "highway_mlp": [("GatedSkip", 4), ("Mul", 0), ("Sub", 0), ("Add", 0), ("Sigmoid", 0), ("Relu", 0)],
  ]
}

/// One fixture's fusion counts and top decline reasons, as the test prints them.
struct FusionSummary: CustomStringConvertible {
  var fixture: String
  var context: PassContext
  var graph: Graph

  var description: String {
    let applied = context.applied.filter { !["eliminate-identity", "dead-code"].contains($0.key) }
      .sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
    var reasons: [String: Int] = [:]
    for decision in context.decisions where decision.outcome == .declined {
      reasons["\(decision.pattern): \(Self.withoutNames(decision.detail))", default: 0] += 1
    }
    let top = reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(4)
      .map { "    ×\($0.value) \($0.key)" }
    return (["\(fixture): fused \(applied.isEmpty ? "nothing" : applied.joined(separator: ", "))"]
      + (top.isEmpty ? [] : ["  declined:"] + top)).joined(separator: "\n")
  }

  /// The reason with quoted names replaced, so declines of the same kind count together. A quote opens only
  /// after a space or at the start (an apostrophe after a letter is a possessive).
  static func withoutNames(_ reason: String) -> String {
    var result = ""
    var quote: Character?
    var previous: Character = " "
    for character in reason {
      defer { previous = character }
      if let open = quote {
        if character == open { quote = nil }
      } else if (character == "'" || character == "\"") && (previous == " " || previous == "(") {
        quote = character
        result.append("…")
      } else {
        result.append(character)
      }
    }
    return result
  }
}

/// The fixtures `fixtures/MANIFEST.json` lists, with their test inputs.
struct FixtureList: Decodable {
  struct Fixture: Decodable {
    struct Port: Decodable {
      var name: String
    }
    var name: String
    var path: String
    var inputs: [Port]

    var folder: String { RepoPaths.fixtures + "/" + path }

    /// `test_data_set_0/input_K.pb` is the K-th declared graph input.
    func testInputs() throws -> [String: ReferenceTensor] {
      var tensors: [String: ReferenceTensor] = [:]
      for (index, port) in inputs.enumerated() {
        let file = try ONNXTensorFile.read(at: folder + "/test_data_set_0/input_\(index).pb")
        tensors[port.name] = ReferenceTensor(constant: file.value)
      }
      return tensors
    }
  }

  var fixtures: [Fixture]

  static func load() throws -> FixtureList {
    let data = try Data(contentsOf: URL(fileURLWithPath: RepoPaths.fixtures + "/MANIFEST.json"))
    return try JSONDecoder().decode(FixtureList.self, from: data)
  }

  static func names() -> [String] {
    ((try? load())?.fixtures.map(\.name) ?? []).sorted()
  }

  static func fixture(named name: String) throws -> Fixture {
    try #require(try load().fixtures.first { $0.name == name })
  }
}
