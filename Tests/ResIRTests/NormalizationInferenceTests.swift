import ResIR
import ResTestSupport
import Testing

@Suite struct NormalizationInferenceTests {
  @Test func batchNormalization() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,H,W]")
    let p = b.input("f32[64]", name: "p")
    #expect(b.type(try b.value(.batchNormalization(epsilon: 1e-5), [x, p, p, p, p])) == "f32[N,64,H,W]")
    let wrong = b.input("f32[32]", name: "q")
    #expect(
      errorMessage { _ = try b.value(.batchNormalization(epsilon: 1e-5), [x, p, p, wrong, p]) }
        == "mean has 32 elements but the input has 64 channels")
    let matrix = b.input("f32[64,1]", name: "m")
    #expect(
      errorMessage { _ = try b.value(.batchNormalization(epsilon: 1e-5), [x, matrix, p, p, p]) }
        == "scale has rank 2, expected 1 (C)")
    let ints = b.input("i64[N,64,H,W]", name: "i")
    #expect(
      errorMessage { _ = try b.value(.batchNormalization(epsilon: 1e-5), [ints, p, p, p, p]) }
        == "input is int64 but must be float16, float or double")
  }

  @Test func layerNormalizationStatistics() throws {
    let b = GraphBuilder()
    let x = b.input("f16[N,S,768]")
    let scale = b.input("f16[768]", name: "scale")
    let results = try b.node(.layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-5)), [x, scale, scale])
    #expect(results.map(b.type) == ["f16[N,S,768]", "f32[N,S,1]", "f32[N,S,1]"])
    let wholeRows = try b.node(.layerNormalization(LayerNormAttributes(axis: 1, epsilon: 1e-5)), [x, scale])
    #expect(wholeRows.map(b.type) == ["f16[N,S,768]", "f32[N,1,1]", "f32[N,1,1]"])
  }

  @Test func layerNormalizationErrors() {
    let b = GraphBuilder()
    let x = b.input("f32[N,S,768]")
    let scale = b.input("f32[512]", name: "scale")
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-5)), [x, scale]) }
        == "scale [512] does not broadcast to the normalized shape [768]")
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(LayerNormAttributes(axis: 3, epsilon: 1e-5)), [x, scale]) }
        == "axis 3 is out of range for rank 3")
    let half = b.input("f16[768]", name: "half")
    #expect(
      errorMessage { _ = try b.node(.layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-5)), [x, half]) }
        == "operand 2 is float16 but operand 1 is float")
  }

  @Test func lrn() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,96,55,55]")
    #expect(
      b.type(try b.value(.lrn(LRNAttributes(size: 5, alpha: 1e-4, beta: 0.75, bias: 1)), [x])) == "f32[N,96,55,55]")
    #expect(
      errorMessage { _ = try b.value(.lrn(LRNAttributes(size: 0, alpha: 1e-4, beta: 0.75, bias: 1)), [x]) }
        == "size 0 must be positive")
  }
}

@Suite struct ReductionInferenceTests {
  @Test func reduceMean() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,H,W]")
    #expect(b.type(try b.value(.reduceMean(axes: [2, 3], keepDims: true), [x])) == "f32[N,64,1,1]")
    #expect(b.type(try b.value(.reduceMean(axes: [2, 3], keepDims: false), [x])) == "f32[N,64]")
    #expect(b.type(try b.value(.reduceMean(axes: nil, keepDims: false), [x])) == "f32[]")
    #expect(b.type(try b.value(.reduceMean(axes: nil, keepDims: true), [x])) == "f32[1,1,1,1]")
    #expect(b.type(try b.value(.reduceMean(axes: [], keepDims: true), [x])) == "f32[N,64,H,W]")
  }

  @Test func reduceMeanErrors() {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,H,W]")
    #expect(
      errorMessage { _ = try b.value(.reduceMean(axes: [4], keepDims: true), [x]) }
        == "axes [4] include 4, out of range for rank 4")
    #expect(
      errorMessage { _ = try b.value(.reduceMean(axes: [1, 1], keepDims: true), [x]) } == "axes [1,1] repeat axis 1")
    let flags = b.input("bool[3]", name: "flags")
    #expect(
      errorMessage { _ = try b.value(.reduceMean(axes: nil, keepDims: true), [flags]) }
        == "data is bool but must be float16, float, double, int64 or int32")
  }

  @Test func softmax() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,H,S,S]")
    #expect(b.type(try b.value(.softmax(axis: 3, coerced2D: false), [x])) == "f32[N,H,S,S]")
    #expect(
      errorMessage { _ = try b.value(.softmax(axis: 4, coerced2D: false), [x]) } == "axis 4 is out of range for rank 4")
  }
}
