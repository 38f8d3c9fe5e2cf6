import ResIR
import ResTestSupport
import Testing

@Suite struct ConvolutionInferenceTests {
  /// Conv of `input` by a weight of type `weight`, with optional bias; returns the result type.
  private func conv(_ input: String, _ weight: String, _ attributes: ConvAttributes, bias: String? = nil)
    throws(ModelError) -> String
  {
    let b = GraphBuilder()
    let x = b.input(input)
    let w = b.input(weight, name: "w")
    let bias = bias.map { b.input($0, name: "b") }
    return b.type(try b.value(.conv(attributes), [x, w, bias], name: "conv"))
  }

  @Test func stridedPaddedStem() throws {
    let attributes = convAttributes(kernel: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3])
    #expect(try conv("f32[1,3,224,224]", "f32[64,3,7,7]", attributes, bias: "f32[64]") == "f32[1,64,112,112]")
  }

  @Test func symbolicBatchSurvives() throws {
    let attributes = convAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])
    #expect(try conv("f32[N,64,56,56]", "f32[64,64,3,3]", attributes) == "f32[N,64,56,56]")
  }

  @Test func symbolicSpatialSizeSurvivesOnlySizePreservingWindows() throws {
    let same = convAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])
    #expect(try conv("f32[N,64,H,W]", "f32[64,64,3,3]", same) == "f32[N,64,H,W]")
    let strided = convAttributes(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])
    #expect(try conv("f32[N,64,H,W]", "f32[128,64,3,3]", strided) == "f32[N,128,?,?]")
    let sameUpper = convAttributes(kernel: [3, 3], padding: .sameUpper)
    #expect(try conv("f32[N,64,H,?]", "f32[64,64,3,3]", sameUpper) == "f32[N,64,H,?]")
  }

  @Test func groupedAndDepthwise() throws {
    let depthwise = convAttributes(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], group: 32)
    #expect(try conv("f32[1,32,112,112]", "f32[32,1,3,3]", depthwise) == "f32[1,32,56,56]")
    let grouped = convAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], group: 4)
    #expect(try conv("f32[2,128,28,28]", "f32[256,32,3,3]", grouped) == "f32[2,256,28,28]")
  }

  @Test func dilation() throws {
    let attributes = convAttributes(kernel: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2])
    #expect(try conv("f32[1,8,32,32]", "f32[8,8,3,3]", attributes) == "f32[1,8,32,32]")
    let unpadded = convAttributes(kernel: [3, 3], dilations: [3, 1])
    #expect(try conv("f32[1,8,32,32]", "f32[8,8,3,3]", unpadded) == "f32[1,8,26,30]")
  }

  /// SAME padding gives ⌈in / stride⌉ (checked against onnx.shape_inference: 225×224 → 113×112).
  @Test func samePadding() throws {
    for padding in [Padding.sameUpper, .sameLower] {
      let attributes = convAttributes(kernel: [3, 3], strides: [2, 2], padding: padding)
      #expect(try conv("f32[1,3,225,224]", "f32[8,3,3,3]", attributes) == "f32[1,8,113,112]")
    }
  }

  @Test func oneAndThreeSpatialAxes() throws {
    let conv1d = convAttributes(kernel: [5], strides: [3])
    #expect(try conv("f32[2,4,100]", "f32[8,4,5]", conv1d) == "f32[2,8,32]")
    let conv3d = convAttributes(kernel: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1])
    #expect(try conv("f16[1,2,8,16,16]", "f16[4,2,3,3,3]", conv3d) == "f16[1,4,8,16,16]")
  }

  @Test func rejectsWrongWeightRank() {
    let attributes = convAttributes(kernel: [3, 3])
    let error = modelError { _ = try conv("f32[1,64,8,8]", "f32[64,64,3]", attributes) }
    #expect(error?.message == "weight has rank 3, expected 4 (M, C/group, kH, kW)")
    #expect(error?.node == "conv")
    #expect(error?.opType == "Conv")
  }

  @Test func rejectsChannelMismatch() {
    let attributes = convAttributes(kernel: [3, 3])
    #expect(
      errorMessage { _ = try conv("f32[1,64,8,8]", "f32[64,32,3,3]", attributes) }
        == "input has 64 channels but weight expects 32 × group 1")
  }

  @Test func rejectsGroupThatDoesNotDivideChannels() {
    let attributes = convAttributes(kernel: [1, 1], group: 3)
    #expect(
      errorMessage { _ = try conv("f32[1,6,8,8]", "f32[4,2,1,1]", attributes) }
        == "group 3 does not divide the 4 output channels")
    let zero = convAttributes(kernel: [1, 1], group: 0)
    #expect(errorMessage { _ = try conv("f32[1,6,8,8]", "f32[4,2,1,1]", zero) } == "group 0 must be positive")
  }

  @Test func rejectsMismatchedAndNonFloatTypes() {
    let attributes = convAttributes(kernel: [3, 3])
    #expect(
      errorMessage { _ = try conv("f32[1,3,8,8]", "f16[4,3,3,3]", attributes) }
        == "operand 2 is float16 but operand 1 is float")
    #expect(
      errorMessage { _ = try conv("i64[1,3,8,8]", "i64[4,3,3,3]", attributes) }
        == "input is int64 but must be float16, float or double")
  }

  @Test func rejectsBadAttributes() {
    #expect(
      errorMessage { _ = try conv("f32[1,3,8,8]", "f32[4,3,3,3]", convAttributes(kernel: [3, 3], strides: [0, 1])) }
        == "strides [0,1] must be positive")
    #expect(
      errorMessage {
        _ = try conv("f32[1,3,8,8]", "f32[4,3,3,3]", convAttributes(kernel: [3, 3], pads: [-1, 0, 0, 0]))
      } == "pads [-1,0,0,0] must not be negative")
    #expect(
      errorMessage { _ = try conv("f32[1,3,8,8]", "f32[4,3,3,3]", convAttributes(kernel: [3])) }
        == "kernel_shape [3] has 1 entries, expected 2 (one per spatial axis)")
    #expect(
      errorMessage { _ = try conv("f32[1,3,8,8]", "f32[4,3,3,3]", convAttributes(kernel: [5, 5])) }
        == "kernel_shape [5,5] does not match the weight's kernel [3,3]")
    #expect(
      errorMessage { _ = try conv("f32[1,3,8,8]", "f32[4,3,3,3]", convAttributes(kernel: [3, 3], pads: [1, 1])) }
        == "pads [1,1] has 2 entries, expected 4 (begins, then ends)")
  }

  @Test func rejectsBadOperands() {
    let attributes = convAttributes(kernel: [3, 3])
    #expect(
      errorMessage { _ = try conv("f32[1,3,8,8]", "f32[4,3,3,3]", attributes, bias: "f32[5]") }
        == "bias has 5 elements but the weight has 4 output channels")
    #expect(
      errorMessage { _ = try conv("f32[1,3,2,8]", "f32[4,3,3,3]", attributes) }
        == "window extent 3 is larger than the padded input size 2 on spatial axis 0")
    #expect(
      errorMessage { _ = try conv("f32[3,8]", "f32[4,3]", convAttributes(kernel: [])) }
        == "input has rank 2, expected at least 3 (N, C, spatial...)")
  }

  @Test func rejectsHostileSizesWithoutTrapping() {
    let huge = convAttributes(kernel: [3], dilations: [Int.max])
    #expect(
      errorMessage { _ = try conv("f32[1,3,8]", "f32[4,3,3]", huge) }
        == "kernel 3 with dilation \(Int.max) spans more than a 64-bit integer can count")
    let padded = convAttributes(kernel: [3], pads: [Int.max, 1])
    #expect(
      errorMessage { _ = try conv("f32[1,3,8]", "f32[4,3,3]", padded) }
        == "padded input size on spatial axis 0 overflows a 64-bit integer")
    #expect(
      errorMessage { _ = try conv("f32[1,3,-8]", "f32[4,3,3]", convAttributes(kernel: [3])) }
        == "operand 1 has negative dimension -8")
  }
}
