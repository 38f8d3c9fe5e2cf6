import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// LSTM and GRU: one step with ONNX's operands, absent optional ones left out and flagged.
@Suite struct RecurrentLoweringTests {
  @Test func lstmFlagsItsOptionalOperands() throws {
    let b = GraphBuilder()
    let attributes = RecurrentAttributes(
      hiddenSize: 4, direction: .bidirectional, activations: [.sigmoid, .tanh, .tanh, .sigmoid, .tanh, .tanh], clip: 3)
    let results = try b.node(
      .lstm(attributes),
      [
        b.input("f32[5,2,3]"), b.filled("f32[2,16,3]", 0.1, name: "w"), b.filled("f32[2,16,4]", 0.1, name: "r"), nil,
        nil, b.filled("f32[2,2,4]", 0, name: "h0"),
      ])
    let (_, plan) = try compile(b, outputs: [results[0]])
    let step = try #require(plan.steps(.f32RecurrentGeneric).first)
    let params = step.recurrent
    #expect(params.cell == .lstm && params.direction == .bidirectional && params.hiddenSize == 4)
    #expect(params.activations.map(\.kind) == [.sigmoid, .tanh, .tanh, .sigmoid, .tanh, .tanh])
    #expect(params.hasClip_p && params.clip == 3)
    #expect(!params.hasBias_p && !params.hasSequenceLens_p && params.hasInitialH_p && !params.hasInitialC_p)
    #expect(step.inputs.count == 4)
    // Every result is written, read or not.
    #expect(step.outputs.count == 3)
    #expect(plan.shape(step.outputs[0]) == [5, 2, 2, 4])
  }

  @Test func gruKeepsSequenceLengthsAsInt32() throws {
    let b = GraphBuilder()
    let attributes = RecurrentAttributes(
      hiddenSize: 2, direction: .forward, activations: [.sigmoid, .tanh], linearBeforeReset: true)
    let results = try b.node(
      .gru(attributes),
      [
        b.input("f32[3,1,2]"), b.filled("f32[1,6,2]", 0.1, name: "w"), b.filled("f32[1,6,2]", 0.1, name: "r"),
        b.filled("f32[1,12]", 0, name: "bias"), b.input("i32[1]", name: "lengths"),
      ])
    let (_, plan) = try compile(b, outputs: [results[1]])
    let step = try #require(plan.steps(.f32RecurrentGeneric).first)
    #expect(step.recurrent.cell == .gru && step.recurrent.linearBeforeReset)
    #expect(step.recurrent.hasBias_p && step.recurrent.hasSequenceLens_p)
    #expect(plan.buffer(step.inputs[4]).dtype == .i32)
    #expect(step.outputs.count == 2)
  }
}
