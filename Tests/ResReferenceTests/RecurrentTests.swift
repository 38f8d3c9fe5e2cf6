import ResIR
import ResReference
import Testing

/// LSTM, GRU and RNN against values computed in Python: by ONNX's reference implementation
/// (`onnx.reference.ReferenceEvaluator`) where it supports the attributes, and by onnxruntime for
/// `sequence_lens`, `clip`, `input_forget` and non-default gate functions, which the reference implementation
/// ignores. Sequence 3, batch 2, input 2, hidden 3; every operand comes from `pattern` with the offsets below.
@Suite struct RecurrentTests {
  private static let (sequence, batch, inputSize, hidden) = (3, 2, 2, 3)

  /// The operands of a recurrent node with `gates` gates and `directions` directions, as the generating script
  /// made them.
  private static func operands(gates: Int, directions: Int, batchMajor: Bool = false) -> [String: ReferenceTensor] {
    let state = batchMajor ? [batch, directions, hidden] : [directions, batch, hidden]
    return [
      "X": pattern(batchMajor ? [batch, sequence, inputSize] : [sequence, batch, inputSize], step: 0.25),
      "W": pattern([directions, gates * hidden, inputSize], step: 0.1, offset: 1),
      "R": pattern([directions, gates * hidden, hidden], step: 0.05, offset: 2),
      "B": pattern([directions, 2 * gates * hidden], step: 0.1, offset: 3),
      "initial_h": pattern(state, step: 0.2, offset: 4),
      "initial_c": pattern(state, step: 0.3, offset: 5),
      "P": pattern([directions, 3 * hidden], step: 0.1, offset: 6),
      "sequence_lens": tensor(.int32, [batch], [3, 1]),
    ]
  }

  /// Runs one recurrent node whose operand slots are `slots` (names from `operands`, `_` for absent ones).
  private func run(
    _ op: String, slots: [String], attributes: String, directions: Int, batchMajor: Bool = false,
    sequenceLengths: [Int64]? = nil
  ) throws -> [ReferenceTensor] {
    let gates = ["LSTM": 4, "GRU": 3][op] ?? 1
    var all = Self.operands(gates: gates, directions: directions, batchMajor: batchMajor)
    if let sequenceLengths { all["sequence_lens"] = tensor(.int32, [Self.batch], sequenceLengths) }
    let used = slots.filter { $0 != "_" }
    func type(_ t: ReferenceTensor) -> String {
      "\(t.dtype.rawValue)[\(t.shape.map(String.init).joined(separator: ","))]"
    }
    let inputs = used.compactMap { name in all[name].map { "  input %\(name): \(type($0))" } }.joined(separator: "\n")
    let y =
      batchMajor
      ? [Self.batch, Self.sequence, directions, Self.hidden] : [Self.sequence, directions, Self.batch, Self.hidden]
    let state = batchMajor ? [Self.batch, directions, Self.hidden] : [directions, Self.batch, Self.hidden]
    let stateType = "f32[\(state.map(String.init).joined(separator: ","))]"
    let results = op == "LSTM" ? "%y, %h, %c" : "%y, %h"
    let resultTypes = ["f32[\(y.map(String.init).joined(separator: ","))]", stateType, stateType].prefix(
      gates == 4 ? 3 : 2)
    let text = """
      graph "rnn" {
      \(inputs)
        \(results) = \(op) "rnn" (\(slots.map { $0 == "_" ? "_" : "%\($0)" }.joined(separator: ", "))) {\(attributes)} : \(resultTypes.joined(separator: ", "))
        return \(results)
      }
      """
    return try Reference.run(text, all.filter { used.contains($0.key) })
  }

  private func expectResults(
    _ results: [ReferenceTensor], _ expected: [[Double]], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(results.count == expected.count, sourceLocation: sourceLocation)
    for (result, values) in zip(results, expected) {
      expectClose(result, f32(result.shape, values), rtol: 1e-5, atol: 1e-6, sourceLocation: sourceLocation)
      #expect(result.elementCount == values.count, sourceLocation: sourceLocation)
    }
  }

  private static let lstmDefaults = "activations=[Sigmoid, Tanh, Tanh], hidden_size=3, input_forget=0, layout=0"

  @Test func lstmForwardWithEveryOperand() throws {
    let results = try run(
      "LSTM", slots: ["X", "W", "R", "B", "_", "initial_h", "initial_c", "P"],
      attributes: "direction=forward, " + Self.lstmDefaults, directions: 1)
    expectResults(
      results,
      [
        [
          -0.10579545, 0.12022933, 0.045709133, -0.1853955, 0.07177708, -0.03805556, -0.2014091, 0.17588975,
          0.11557704, -0.26314688, 0.08859245, 0.08815898, 0.048202377, 0.035538696, 0.18144546, -0.24286836,
          0.14041948, 0.14554055,
        ],
        [0.048202377, 0.035538696, 0.18144546, -0.24286836, 0.14041948, 0.14554055],
        [0.08857645, 0.11889394, 0.32337555, -0.36076528, 0.38085318, 0.4060115],
      ])
  }

  @Test func lstmBidirectional() throws {
    let results = try run(
      "LSTM", slots: ["X", "W", "R", "B"],
      attributes:
        "activations=[Sigmoid, Tanh, Tanh, Sigmoid, Tanh, Tanh], direction=bidirectional, hidden_size=3, input_forget=0, layout=0",
      directions: 2)
    expectResults(
      results,
      [
        [
          0.17086294, 0.01663187, 0.10478903, 0.13479859, -0.037805185, 0.09867936, 0.12533386, -0.31840312,
          -0.08227297, 0.06904821, -0.24699287, 0.053333383, -0.043181594, 0.122888535, 0.13917163, -0.05954515,
          0.036012974, 0.12817457, 0.22300813, -0.10938717, -0.0024454193, 0.24520642, -0.0042968607, 0.051859237,
          0.13979751, 0.026370864, 0.18722142, -0.15346885, 0.12752788, 0.17914362, 0.050215222, -0.24548486,
          -0.051261425, 0.18204294, -3.816614e-09, -0.018404938,
        ],
        [
          0.13979751, 0.026370864, 0.18722142, -0.15346885, 0.12752788, 0.17914362, 0.12533386, -0.31840312,
          -0.08227297, 0.06904821, -0.24699287, 0.053333383,
        ],
        [
          0.27162606, 0.085297495, 0.30869672, -0.21894453, 0.32546672, 0.43810478, 0.33917612, -0.4711071,
          -0.17133129, 0.16580018, -0.38263485, 0.09961051,
        ],
      ])
  }

  @Test func lstmReverseBatchMajor() throws {
    let results = try run(
      "LSTM", slots: ["X", "W", "R", "_", "_", "initial_h", "initial_c"],
      attributes: "activations=[Sigmoid, Tanh, Tanh], direction=reverse, hidden_size=3, input_forget=0, layout=1",
      directions: 1, batchMajor: true)
    expectResults(
      results,
      [
        [
          0.09200964, -0.0044100787, -0.17575292, -0.016483312, 0.040269583, -0.08782544, -0.18673626, 0.39035505,
          0.010322182, -0.122852586, 0.012847663, -0.014332875, -0.019374067, 0.080738254, -0.13982831, -0.23125242,
          0.33535224, -0.06523281,
        ],
        [0.09200964, -0.0044100787, -0.17575292, -0.122852586, 0.012847663, -0.014332875],
        [0.20534211, -0.011081908, -0.26575288, -0.24736963, 0.022179052, -0.037418753],
      ])
  }

  /// Batch entry 1 stops after one step: its later Y rows are 0 and Y_h/Y_c hold its first state.
  @Test func lstmSequenceLengthsClipInputForgetAndGateFunctions() throws {
    let results = try run(
      "LSTM", slots: ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"],
      attributes:
        "activations=[HardSigmoid(alpha=0.3, beta=0.4), Elu(alpha=0.8), Softsign], clip=0.5, direction=forward, "
        + "hidden_size=3, input_forget=1, layout=0",
      directions: 1, sequenceLengths: [3, 1])
    expectResults(
      results,
      [
        [
          -0.111156985, 0.12492183, 0.03353247, -0.1103806, 0.10011261, -0.041508835, -0.13544658, 0.13141274,
          0.042612646, 0.0, 0.0, 0.0, 0.019486675, 0.09495073, 0.10534864, 0.0, 0.0, 0.0,
        ],
        [0.019486675, 0.09495073, 0.10534864, -0.1103806, 0.10011261, -0.041508835],
        [0.045589387, 0.61239064, 0.25665385, -0.7240001, 0.6679188, -0.090999976],
      ])
  }

  /// The reverse direction of a shorter sequence starts at its own last element.
  @Test func lstmBidirectionalSequenceLengthsAndGateFunctions() throws {
    let results = try run(
      "LSTM", slots: ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c"],
      attributes:
        "activations=[Sigmoid, Affine(alpha=0.5, beta=0.1), Softplus, Sigmoid, LeakyRelu(alpha=0.2), "
        + "ThresholdedRelu(alpha=0.1)], direction=bidirectional, hidden_size=3, input_forget=0, layout=0",
      directions: 2, sequenceLengths: [2, 3])
    expectResults(
      results,
      [
        [
          0.2820057, 0.27853817, 0.46415925, 0.1980922, 0.26667175, 0.38344175, 0.039897982, 0.0, 0.0, 0.12694567,
          0.0, 0.0, 0.39976904, 0.4070812, 0.3340108, 0.31377712, 0.38827255, 0.27911636, 0.0, 0.14792328, 0.0,
          0.509656, 0.08022468, 0.0, 0.0, 0.0, 0.0, 0.42493662, 0.36871168, 0.38369402, 0.0, 0.0, 0.0, 0.60012907,
          0.145357, 0.0,
        ],
        [
          0.39976904, 0.4070812, 0.3340108, 0.42493662, 0.36871168, 0.38369402, 0.039897982, 0.0, 0.0, 0.12694567,
          0.0, 0.0,
        ],
        [
          -0.15905099, 0.4151326, 0.27139738, -0.17433801, 0.31577548, 0.31133687, 0.10684687, 0.04706189,
          -0.2727938, 0.28890318, -0.0040787756, 0.018706866,
        ],
      ])
  }

  @Test func gruForward() throws {
    let results = try run(
      "GRU", slots: ["X", "W", "R", "B", "_", "initial_h"],
      attributes: "activations=[Sigmoid, Tanh], direction=forward, hidden_size=3, layout=0, linear_before_reset=0",
      directions: 1)
    expectResults(
      results,
      [
        [
          0.37878776, -0.5644717, 0.33702403, 0.33651507, -0.7222196, 0.30758694, 0.22034276, -0.34072775,
          0.12799674, 0.2639152, -0.5350312, 0.29156983, 0.43259612, -0.5442635, -0.083209634, 0.09528406,
          -0.24838485, -0.014022306,
        ],
        [0.43259612, -0.5442635, -0.083209634, 0.09528406, -0.24838485, -0.014022306],
      ])
  }

  @Test func gruBidirectionalLinearBeforeReset() throws {
    let results = try run(
      "GRU", slots: ["X", "W", "R", "B", "_", "initial_h"],
      attributes:
        "activations=[Sigmoid, Tanh, Sigmoid, Tanh], direction=bidirectional, hidden_size=3, layout=0, linear_before_reset=1",
      directions: 2)
    expectResults(
      results,
      [
        [
          0.3873074, -0.45384878, 0.31844825, 0.34151763, -0.63549143, 0.28076124, -0.32268214, 0.49141818,
          0.18998027, -0.12357843, 0.61338955, 0.21955305, 0.22492269, -0.18292667, 0.015463293, 0.26479715,
          -0.4045041, 0.16543986, -0.12476749, 0.02379787, -0.008048147, 0.13033248, 0.23052661, -0.20846218,
          0.43523073, -0.3869026, -0.18069942, 0.101159476, -0.08154634, -0.15767772, -0.33702475, -0.034605682,
          0.40359008, -0.1906415, 0.6727359, -0.11937663,
        ],
        [
          0.43523073, -0.3869026, -0.18069942, 0.101159476, -0.08154634, -0.15767772, -0.32268214, 0.49141818,
          0.18998027, -0.12357843, 0.61338955, 0.21955305,
        ],
      ])
  }

  @Test func gruReverseBatchMajor() throws {
    let results = try run(
      "GRU", slots: ["X", "W", "R", "B"],
      attributes: "activations=[Sigmoid, Tanh], direction=reverse, hidden_size=3, layout=1, linear_before_reset=0",
      directions: 1, batchMajor: true)
    expectResults(
      results,
      [
        [
          0.4816395, -0.5905888, -0.30491075, 0.30534294, -0.4650849, -0.15257299, -0.035944298, -0.12552017,
          -0.054183375, 0.22454543, -0.4259112, -0.006017007, 0.25423157, -0.46852076, -0.2815649, -0.077543914,
          -0.08733857, -0.16197386,
        ],
        [0.4816395, -0.5905888, -0.30491075, 0.22454543, -0.4259112, -0.006017007],
      ])
  }

  @Test func gruReverseSequenceLengthsClipAndGateFunctions() throws {
    let results = try run(
      "GRU", slots: ["X", "W", "R", "B", "sequence_lens", "initial_h"],
      attributes:
        "activations=[ScaledTanh(alpha=0.9, beta=1.2), Relu], clip=0.3, direction=reverse, hidden_size=3, layout=0, "
        + "linear_before_reset=1",
      directions: 1, sequenceLengths: [2, 3])
    expectResults(
      results,
      [
        [
          0.2260982, -0.107838206, -0.077223934, 0.22917436, -0.041430853, -0.0003493467, 0.062138524, 0.34708965,
          -0.24855414, 0.07203949, 0.1993907, -0.0011244126, 0.0, 0.0, 0.0, 0.0, 0.64176196, -0.18641561,
        ],
        [0.2260982, -0.107838206, -0.077223934, 0.22917436, -0.041430853, -0.0003493467],
      ])
  }

  @Test func rnnForward() throws {
    let results = try run(
      "RNN", slots: ["X", "W", "R", "B", "_", "initial_h"],
      attributes: "activations=[Tanh], direction=forward, hidden_size=3, layout=0", directions: 1)
    expectResults(
      results,
      [
        [
          0.39693034, -0.5545997, -0.2867304, 0.36270738, -0.18291801, -0.19737536, 0.71984363, -0.020456612,
          -0.84060717, 0.76498795, 0.46917367, -0.79691845, 0.40604901, -0.41121107, -0.20218235, 0.80083954,
          -0.16926849, -0.82355779,
        ],
        [0.40604901, -0.41121107, -0.20218235, 0.80083954, -0.16926849, -0.82355779],
      ])
  }

  /// onnxruntime's values: a function per direction (Relu forward, Tanh reverse), the clip before each, and
  /// sequence lengths 3 and 1.
  @Test func rnnBidirectionalSequenceLengthsClipAndGateFunctions() throws {
    let results = try run(
      "RNN", slots: ["X", "W", "R", "B", "sequence_lens"],
      attributes: "activations=[Relu, Tanh], clip=0.6, direction=bidirectional, hidden_size=3, layout=0",
      directions: 2)
    expectResults(
      results,
      [
        [
          0.54999995, 0, 0, 0.54999995, 0, 0, 0.17637193, -0.50162792, 0.53704965, 0, -0.51902187, 0.4621172,
          0.60000002, 0.067500010, 0, 0, 0, 0, 0.53704965, -0.20511472, -0.33009499, 0, 0, 0,
          0.50687498, 0, 0, 0, 0, 0, 0.19737530, -0.53704959, 0.53704965, 0, 0, 0,
        ],
        [0.50687498, 0, 0, 0.54999995, 0, 0, 0.17637193, -0.50162792, 0.53704965, 0, -0.51902187, 0.4621172],
      ])
  }

  @Test func hiddenSizeMustMatchTheWeights() throws {
    let all = Self.operands(gates: 3, directions: 1)
    let (x, w, r) = (try #require(all["X"]), try #require(all["W"]), try #require(all["R"]))
    try expectFailure(
      """
      graph "rnn" {
        input %X: f32[3,2,2]
        input %W: f32[1,9,2]
        input %R: f32[1,9,3]
        %y, %h = GRU "gru" (%X, %W, %R) {activations=[Sigmoid, Tanh], direction=forward, hidden_size=4, layout=0, linear_before_reset=0} : f32[3,1,2,4], f32[1,2,4]
        return %y
      }
      """, ["X": x, "W": w, "R": r], node: "gru", opType: "GRU",
      mentioning: "W must have shape [1,12,2]")
  }
}
