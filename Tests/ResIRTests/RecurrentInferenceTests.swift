import ResIR
import ResTestSupport
import Testing

/// Expected shapes checked against onnx.shape_inference.
@Suite struct RecurrentInferenceTests {
  private func lstmAttributes(hidden: Int = 16, direction: RecurrentDirection = .forward, batchMajor: Bool = false)
    -> RecurrentAttributes
  {
    let functions: [RecurrentActivation] = [.sigmoid, .tanh, .tanh]
    return RecurrentAttributes(
      hiddenSize: hidden, direction: direction,
      activations: Array(repeating: functions, count: direction.count).flatMap { $0 }, batchMajor: batchMajor)
  }

  private func gruAttributes(direction: RecurrentDirection = .forward, batchMajor: Bool = false) -> RecurrentAttributes
  {
    RecurrentAttributes(
      hiddenSize: 16, direction: direction,
      activations: Array(repeating: [RecurrentActivation.sigmoid, .tanh], count: direction.count).flatMap { $0 },
      linearBeforeReset: true, batchMajor: batchMajor)
  }

  @Test func lstmSequenceMajor() throws {
    let b = GraphBuilder()
    let x = b.input("f32[5,N,8]")
    let w = b.input("f32[1,64,8]", name: "w")
    let r = b.input("f32[1,64,16]", name: "r")
    let bias = b.input("f32[1,128]", name: "b")
    let results = try b.node(.lstm(lstmAttributes()), [x, w, r, bias])
    #expect(results.map(b.type) == ["f32[5,1,N,16]", "f32[1,N,16]", "f32[1,N,16]"])
  }

  @Test func lstmBidirectionalBatchMajor() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,5,8]")
    let w = b.input("f32[2,64,8]", name: "w")
    let r = b.input("f32[2,64,16]", name: "r")
    let h = b.input("f32[N,2,16]", name: "h")
    let p = b.input("f32[2,48]", name: "p")
    let lengths = b.input("i32[N]", name: "lengths")
    let attributes = lstmAttributes(direction: .bidirectional, batchMajor: true)
    let results = try b.node(.lstm(attributes), [x, w, r, nil, lengths, h, h, p])
    #expect(results.map(b.type) == ["f32[N,5,2,16]", "f32[N,2,16]", "f32[N,2,16]"])
  }

  @Test func initialStateFillsAnUnknownBatch() throws {
    let b = GraphBuilder()
    let x = b.input("f32[T,?,8]")
    let w = b.input("f32[1,48,8]", name: "w")
    let r = b.input("f32[1,48,16]", name: "r")
    let h = b.input("f32[1,4,16]", name: "h")
    let results = try b.node(.gru(gruAttributes()), [x, w, r, nil, nil, h])
    #expect(results.map(b.type) == ["f32[T,1,4,16]", "f32[1,4,16]"])
  }

  @Test func rnnBidirectionalWithOneGatePerDirection() throws {
    let b = GraphBuilder()
    let x = b.input("f32[T,N,8]")
    let w = b.input("f32[2,16,8]", name: "w")
    let r = b.input("f32[2,16,16]", name: "r")
    let bias = b.input("f32[2,32]", name: "b")
    let attributes = RecurrentAttributes(hiddenSize: 16, direction: .bidirectional, activations: [.tanh, .relu])
    let results = try b.node(.rnn(attributes), [x, w, r, bias])
    #expect(results.map(b.type) == ["f32[T,2,N,16]", "f32[2,N,16]"])
    // W stacked as a GRU's three gates is not an RNN's.
    let gruW = b.input("f32[2,48,8]", name: "gw")
    #expect(errorMessage { _ = try b.node(.rnn(attributes), [x, gruW, r]) }?.contains("W has shape") == true)
    var gru = attributes
    gru.linearBeforeReset = true
    #expect(errorMessage { _ = try b.node(.rnn(gru), [x, w, r]) } == "linear_before_reset applies only to GRU")
  }

  @Test func gruReverseBatchMajor() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,T,8]")
    let w = b.input("f32[1,48,8]", name: "w")
    let r = b.input("f32[1,48,16]", name: "r")
    let bias = b.input("f32[1,96]", name: "b")
    let results = try b.node(.gru(gruAttributes(direction: .reverse, batchMajor: true)), [x, w, r, bias])
    #expect(results.map(b.type) == ["f32[N,T,1,16]", "f32[N,1,16]"])
  }

  @Test func weightShapesAreChecked() {
    let b = GraphBuilder()
    let x = b.input("f32[5,N,8]")
    let w = b.input("f32[1,64,8]", name: "w")
    let r = b.input("f32[1,64,16]", name: "r")
    let wrongHidden = b.input("f32[1,64,32]", name: "r2")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes()), [x, w, wrongHidden]) }
        == "R has shape [1,64,32], expected [1,64,16] (num_directions, 4·hidden_size, hidden_size)")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes(hidden: 32)), [x, w, r]) }
        == "W has shape [1,64,8], expected [1,128,8] (num_directions, 4·hidden_size, input_size)")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes(direction: .bidirectional)), [x, w, r]) }
        == "W has shape [1,64,8], expected [2,64,8] (num_directions, 4·hidden_size, input_size)")
    let narrowInput = b.input("f32[1,64,4]", name: "w2")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes()), [x, narrowInput, r]) }
        == "W has shape [1,64,4], expected [1,64,8] (num_directions, 4·hidden_size, input_size)")
    let badBias = b.input("f32[1,64]", name: "b")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes()), [x, w, r, badBias]) }
        == "B has shape [1,64], expected [1,128] (num_directions, 8·hidden_size)")
    let badState = b.input("f32[1,3,16]", name: "h")
    let sizedX = b.input("f32[5,2,8]", name: "x2")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes()), [sizedX, w, r, nil, nil, badState]) }
        == "initial_h has shape [1,3,16], expected [1,2,16] (num_directions, batch, hidden_size)")
  }

  @Test func operandTypesAndAttributesAreChecked() {
    let b = GraphBuilder()
    let x = b.input("f32[5,N,8]")
    let w = b.input("f32[1,64,8]", name: "w")
    let r = b.input("f32[1,64,16]", name: "r")
    let lengths = b.input("i64[N]", name: "lengths")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes()), [x, w, r, nil, lengths]) }
        == "sequence_lens is int64 but must be int32")
    let halfR = b.input("f16[1,64,16]", name: "r16")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes()), [x, w, halfR]) }
        == "operand 3 is float16 but operand 1 is float")
    let flat = b.input("f32[N,8]", name: "flat")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes()), [flat, w, r]) }
        == "X has rank 2, expected 3 (seq, batch, input)")
    var twoFunctions = lstmAttributes()
    twoFunctions.activations = [.sigmoid, .tanh]
    #expect(
      errorMessage { _ = try b.node(.lstm(twoFunctions), [x, w, r]) }
        == "activations has 2 entries, expected 3 (3 per direction)")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes(hidden: 0)), [x, w, r]) } == "hidden_size 0 must be positive")
    #expect(
      errorMessage { _ = try b.node(.lstm(lstmAttributes(hidden: Int.max / 2)), [x, w, r]) }
        == "hidden_size \(Int.max / 2) is too large")
    var clipped = lstmAttributes()
    clipped.clip = -1
    #expect(errorMessage { _ = try b.node(.lstm(clipped), [x, w, r]) } == "clip -1.0 must not be negative")
    var misplaced = gruAttributes()
    misplaced.inputForget = true
    let gw = b.input("f32[1,48,8]", name: "gw")
    let gr = b.input("f32[1,48,16]", name: "gr")
    #expect(errorMessage { _ = try b.node(.gru(misplaced), [x, gw, gr]) } == "input_forget applies only to LSTM")
  }
}
