import ResIR
import ResTestSupport
import Testing

@Suite struct PoolingInferenceTests {
  private func pool(_ input: String, _ attributes: PoolAttributes, average: Bool = false) throws(ModelError) -> String {
    let b = GraphBuilder()
    let x = b.input(input)
    return b.type(try b.value(average ? .averagePool(attributes) : .maxPool(attributes), [x], name: "pool"))
  }

  @Test func resnetStemMaxPool() throws {
    let attributes = poolAttributes(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])
    #expect(try pool("f32[N,64,112,112]", attributes) == "f32[N,64,56,56]")
  }

  /// Checked against onnx.shape_inference: 112×113 with a 3×3/2 window is 55×56 in floor mode, 56×56 in
  /// ceil mode.
  @Test func ceilMode() throws {
    let floor = poolAttributes(kernel: [3, 3], strides: [2, 2])
    #expect(try pool("f32[1,1,112,113]", floor) == "f32[1,1,55,56]")
    let ceil = poolAttributes(kernel: [3, 3], strides: [2, 2], ceilMode: true)
    #expect(try pool("f32[1,1,112,113]", ceil) == "f32[1,1,56,56]")
  }

  /// ONNX (following PyTorch) drops a last window that would start in the end padding: a 1-wide window with
  /// stride 2 over 4 elements gives 2 outputs, not ⌈3/2⌉ + 1 = 3 (checked against onnx.shape_inference).
  @Test func ceilModeDropsWindowStartingInPadding() throws {
    #expect(try pool("f32[1,1,4]", poolAttributes(kernel: [1], strides: [2], ceilMode: true)) == "f32[1,1,2]")
    #expect(
      try pool("f32[1,1,1]", poolAttributes(kernel: [2], strides: [2], pads: [1, 1], ceilMode: true)) == "f32[1,1,1]")
    #expect(try pool("f32[1,1,5]", poolAttributes(kernel: [2], strides: [2], ceilMode: true)) == "f32[1,1,3]")
  }

  @Test func averagePoolSamePadding() throws {
    let attributes = poolAttributes(kernel: [3, 3], strides: [2, 2], padding: .sameUpper)
    #expect(try pool("f32[1,1,225,224]", attributes, average: true) == "f32[1,1,113,112]")
    let unitStride = poolAttributes(kernel: [3, 3], padding: .sameLower)
    #expect(try pool("f32[N,8,H,W]", unitStride, average: true) == "f32[N,8,H,W]")
  }

  @Test func maxPoolAcceptsBytesButAveragePoolDoesNot() throws {
    let attributes = poolAttributes(kernel: [2, 2], strides: [2, 2])
    #expect(try pool("u8[1,1,4,4]", attributes) == "u8[1,1,2,2]")
    #expect(
      errorMessage { _ = try pool("u8[1,1,4,4]", attributes, average: true) }
        == "input is uint8 but must be float16, float or double")
  }

  @Test func globalAveragePool() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,2048,7,7]")
    #expect(b.type(try b.value(.globalAveragePool, [x])) == "f32[N,2048,1,1]")
    let bad = b.input("f32[8]", name: "v")
    #expect(
      errorMessage { _ = try b.value(.globalAveragePool, [bad]) }
        == "input has rank 1, expected at least 2 (N, C, spatial...)")
  }

  @Test func rejectsBadAttributes() {
    #expect(
      errorMessage { _ = try pool("f32[1,1,4,4]", poolAttributes(kernel: [0, 2])) }
        == "kernel_shape [0,2] must be positive")
    #expect(
      errorMessage { _ = try pool("f32[1,1,4,4]", poolAttributes(kernel: [2, 2], strides: [1, 0])) }
        == "strides [1,0] must be positive")
    #expect(
      errorMessage { _ = try pool("f32[1,1,4,4]", poolAttributes(kernel: [2, 2], pads: [0, 0, -1, 0])) }
        == "pads [0,0,-1,0] must not be negative")
    #expect(
      errorMessage { _ = try pool("f32[1,1,4,4]", poolAttributes(kernel: [5, 5])) }
        == "window extent 5 is larger than the padded input size 4 on spatial axis 0")
  }
}
