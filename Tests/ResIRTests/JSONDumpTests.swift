import Foundation
import ResIR
import Testing

@Suite struct JSONDumpTests {
  private func parse(_ graph: Graph) throws -> [String: Any] {
    let text = JSONDump.render(graph)
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any])
  }

  private func nodes(_ json: [String: Any]) throws -> [[String: Any]] {
    try #require(json["nodes"] as? [[String: Any]])
  }

  @Test func topLevelHasTheContractedFields() throws {
    let json = try parse(DumpSampleGraphs.resnetBlock())
    #expect(Set(json.keys) == ["name", "inputs", "outputs", "constants", "nodes"])
    #expect(json["name"] as? String == "resnet_block")
    let inputs = try #require(json["inputs"] as? [[String: Any]])
    #expect(inputs.count == 1)
    #expect(inputs[0]["name"] as? String == "x")
    #expect(inputs[0]["dtype"] as? String == "f32")
    let shape = try #require(inputs[0]["shape"] as? [Any])
    #expect(shape.first as? String == "N")
    #expect(shape.dropFirst().compactMap { $0 as? Int } == [4, 8, 8])
    let outputs = try #require(json["outputs"] as? [[String: Any]])
    #expect(outputs.map { $0["name"] as? String } == ["logits"])
    let constants = try #require(json["constants"] as? [[String: Any]])
    #expect(constants.map { $0["name"] as? String } == ["w1", "b1", "w2", "b2", "shape", "fc.weight"])
    #expect(constants[0]["fingerprint"] as? String == "09e65090a8d50adf")
    #expect(constants[0]["values"] == nil)
    #expect(constants[4]["values"] as? [Int] == [0, -1])
  }

  /// Model changes (an inserted projection) are listed last, and only when there are some, so a dump of an
  /// unchanged model keeps exactly the contracted keys.
  @Test func modelChangesFollowTheNodesWhenThereAreAny() throws {
    let graph = DumpSampleGraphs.resnetBlock()
    let text = JSONDump.render(graph, modelChanges: ["inserted a projection on 'skip'"])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(json["model_changes"] as? [String] == ["inserted a projection on 'skip'"])
    let nodes = try #require(text.range(of: "\"nodes\""))
    let changes = try #require(text.range(of: "\"model_changes\""))
    #expect(nodes.lowerBound < changes.lowerBound)
    #expect(JSONDump.render(graph, modelChanges: []) == JSONDump.render(graph))
  }

  @Test func nodesHaveTheContractedFields() throws {
    let nodes = try nodes(try parse(DumpSampleGraphs.resnetBlock()))
    #expect(nodes.map { $0["op"] as? String } == ["Conv", "Conv", "GlobalAveragePool", "Reshape", "Gemm"])
    for node in nodes {
      #expect(node["name"] is String)
      #expect(node["inputs"] is [Any])
      #expect(node["outputs"] is [String])
      #expect(node["output_types"] is [[String: Any]])
      #expect(node["attributes"] is [String: Any])
    }
    let conv2 = nodes[1]
    #expect(conv2["inputs"] as? [String] == ["h", "w2", "b2", "x"])
    let attributes = try #require(conv2["attributes"] as? [String: Any])
    #expect(attributes["kernel_shape"] as? [Int] == [3, 3])
    #expect(attributes["group"] as? Int == 1)
    let epilogue = try #require(conv2["epilogue"] as? [String: Any])
    #expect(epilogue["residual"] as? String == "x")
    #expect((epilogue["activation"] as? [String: Any])?["kind"] as? String == "relu")
    // An absent optional operand is null; a node with nothing fused has no epilogue key.
    let gemm = nodes[4]
    let gemmInputs = try #require(gemm["inputs"] as? [Any])
    #expect(gemmInputs.count == 3)
    #expect(gemmInputs[2] is NSNull)
    #expect(gemm["epilogue"] == nil)
    #expect((gemm["attributes"] as? [String: Any])?["transB"] as? Int == 1)
  }

  @Test func everyOpRendersValidJSON() throws {
    let graph = DumpSampleGraphs.everyOp()
    let nodes = try nodes(try parse(graph))
    #expect(nodes.count == graph.nodes.count)
    let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0["name"] as? String ?? "", $0) })
    // Unknown dimensions are null, symbolic ones strings.
    let conv1Types = try #require(byName["conv1"]?["output_types"] as? [[String: Any]])
    let conv1Shape = try #require(conv1Types.first?["shape"] as? [Any])
    #expect(conv1Shape[0] as? String == "N")
    #expect(conv1Shape[2] is NSNull)
    // Epilogue activations with parameters, auto_pad, typed scalars, recurrent activations.
    let conv1 = try #require(byName["conv1"])
    let activation = try #require((conv1["epilogue"] as? [String: Any])?["activation"] as? [String: Any])
    #expect(activation["kind"] as? String == "clip")
    #expect(activation["max"] as? Double == 6)
    #expect((conv1["attributes"] as? [String: Any])?["auto_pad"] as? String == "SAME_UPPER")
    let fill = try #require((byName["fill_int"]?["attributes"] as? [String: Any])?["value"] as? [String: Any])
    #expect(fill["dtype"] as? String == "i64")
    #expect(fill["value"] as? Int == 7)
    let lstm = try #require(byName["lstm"]?["attributes"] as? [String: Any])
    let gates = try #require(lstm["activations"] as? [[String: Any]])
    #expect(
      gates.map { $0["kind"] as? String } == ["Sigmoid", "Tanh", "Relu", "HardSigmoid", "LeakyRelu", "ThresholdedRelu"])
    #expect(gates[3]["alpha"] as? Double == Double(Float(0.2).description))
    let conv0 = try #require(byName["conv0"]?["epilogue"] as? [String: Any])
    #expect(conv0["residual"] as? String == "x")
    // Non-finite constant values are strings.
    let json = try parse(graph)
    let constants = try #require(json["constants"] as? [[String: Any]])
    let hi = try #require(constants.first { $0["name"] as? String == "hi" })
    #expect(hi["values"] as? [String] == ["inf"])
  }

  /// A residual epilogue whose slot is empty (a graph the verifier would reject) still dumps, naming null.
  @Test func emptyResidualSlotIsNull() throws {
    let nodes = try nodes(try parse(DumpSampleGraphs.malformed()))
    let epilogue = try #require(nodes[0]["epilogue"] as? [String: Any])
    #expect(epilogue["residual"] is NSNull)
    #expect(epilogue["activation"] == nil)
    #expect(nodes[1]["outputs"] as? [String] == [])
  }

  @Test func attributeKeysAreSorted() {
    let text = JSONDump.render(DumpSampleGraphs.resnetBlock())
    let order = ["\"alpha\"", "\"beta\"", "\"transA\"", "\"transB\""].compactMap { text.range(of: $0)?.lowerBound }
    #expect(order.count == 4)
    #expect(order == order.sorted())
  }

  @Test func namesAreEscaped() throws {
    let json = try parse(DumpSampleGraphs.oddNames())
    #expect(json["name"] as? String == "odd \"names\" \\ ünï\tcode")
    let nodes = try nodes(json)
    #expect(nodes.map { $0["name"] as? String } == ["", "名前 \u{7}\n", "/layer1/layer1.0/Relu"])
    #expect(nodes[0]["outputs"] as? [String] == ["quote\"back\\slash"])
    let text = JSONDump.render(DumpSampleGraphs.oddNames())
    #expect(text.contains(#""名前 \u0007\n""#))
  }

  @Test func renderingIsDeterministicAndPretty() {
    let text = JSONDump.render(DumpSampleGraphs.everyOp())
    #expect(text == JSONDump.render(DumpSampleGraphs.everyOp()))
    #expect(text.hasPrefix("{\n  \"name\": \"every op\",\n  \"inputs\": [\n    {\n      \"name\": \"x\",\n"))
    #expect(text.hasSuffix("}\n"))
  }
}
