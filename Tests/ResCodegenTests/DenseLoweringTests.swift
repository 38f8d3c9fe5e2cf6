import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Conv, Gemm and MatMul: one step each with their parameters and epilogue, weights as constant buffers, and
/// f32 conversions around other float types.
@Suite struct DenseLoweringTests {
  @Test func convolutionCarriesItsEpilogue() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,3,8,8]")
    let residual = b.input("f32[1,4,8,8]", name: "skip")
    let epilogue = Epilogue(residual: true, activation: .clip(min: 0, max: 6))
    let y = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: .explicit([1, 1, 1, 1]), epilogue: epilogue)),
      [x, b.filled("f32[4,3,3,3]", 0.5, name: "w"), b.filled("f32[4]", 1, name: "b"), residual], name: "conv")
    let (_, plan) = try compile(b, outputs: [y])

    #expect(plan.kernels == [KernelID.f32ConvNCHWGeneric.rawValue])
    let step = plan.steps[0]
    #expect(step.name == "conv")
    #expect(step.inputs.count == 4)
    #expect(step.inputs[0] == plan.metadata.inputs[0].buffer)
    #expect(plan.isConstant(step.inputs[1]) && plan.isConstant(step.inputs[2]))
    #expect(step.inputs[3] == plan.metadata.inputs[1].buffer)
    #expect(step.outputs == [plan.metadata.outputs[0].buffer])
    #expect(plan.shape(step.inputs[1]) == [4, 3, 3, 3])
    #expect(plan.floats(step.inputs[1]).allSatisfy { $0 == 0.5 })
    // Stored in the grid method's 6-row panels (4 output channels, 27 reduction steps, padded to 6 rows).
    #expect(
      plan.packing(step.inputs[1])
        == PanelLayout(width: 6, matrices: 1, rows: 4, depth: 27, matrixStride: 108, rowStride: 27, depthStride: 1))
    let conv = step.conv
    #expect(conv.kernelShape == [3, 3] && conv.strides == [1, 1] && conv.dilations == [1, 1])
    #expect(conv.pads == [1, 1, 1, 1] && conv.group == 1)
    #expect(conv.epilogue.hasBias_p && conv.epilogue.hasResidual_p)
    #expect(conv.epilogue.activation.kind == .clip)
    #expect(conv.epilogue.activation.alpha == 0 && conv.epilogue.activation.beta == 6)
  }

  @Test(arguments: [(Padding.sameUpper, [0, 0, 1, 1]), (Padding.sameLower, [1, 1, 0, 0])])
  func samePaddingBecomesExplicit(_ padding: Padding, _ pads: [Int64]) throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,2,8,8]")
    let y = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: padding, strides: [2, 2])), [x, b.filled("f32[2,2,3,3]")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps[0].conv.pads == pads)
    #expect(plan.output().shape == [1, 2, 4, 4])
    #expect(!plan.steps[0].conv.epilogue.hasBias_p)
  }

  /// The compute kernels are f32 only: an f16 convolution reads f32 weights converted when compiling, its
  /// activation is cast in front, and the result cast back.
  @Test func float16ConvolutionRunsInFloat32() throws {
    let b = GraphBuilder()
    let x = b.input("f16[1,2,4,4]")
    let y = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]))),
      [x, b.constant(.float16, [1, 2, 3, 4], [2, 2, 1, 1], name: "w")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast", "f32_conv_nchw_generic", "cast"])
    let conv = plan.steps[1]
    #expect(plan.buffer(conv.inputs[0]).dtype == .f32)
    #expect(plan.buffer(conv.inputs[1]).dtype == .f32 && plan.isConstant(conv.inputs[1]))
    #expect(plan.floats(conv.inputs[1]) == [1, 2, 3, 4])
    #expect(plan.steps[0].inputs == [plan.metadata.inputs[0].buffer])
    #expect(plan.steps[2].inputs == conv.outputs)
    #expect(plan.steps[2].outputs == [plan.metadata.outputs[0].buffer])
    #expect(plan.output().dtype == .f16)
  }

  @Test func gemmParameters() throws {
    let b = GraphBuilder()
    let a = b.input("f32[4,3]")
    let attributes = GemmAttributes(alpha: 0.5, beta: 2, transA: false, transB: true)
    let y = try b.value(.gemm(attributes), [a, b.filled("f32[5,3]", 1, name: "w"), b.filled("f32[5]", 1, name: "c")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["f32_gemm_generic"])
    let gemm = plan.steps[0].gemm
    #expect(gemm.alpha == 0.5 && gemm.beta == 2 && !gemm.transA && gemm.transB)
    #expect(gemm.epilogue.hasBias_p && !gemm.epilogue.hasResidual_p && gemm.epilogue.activation.kind == .none)
    #expect(plan.steps[0].inputs.count == 3)
    #expect(plan.output().shape == [4, 5])
    // The constant B ([N, K] = [5, 3], transposed) in 16-column panels; the computed A as it is.
    #expect(
      plan.packing(plan.steps[0].inputs[1])
        == PanelLayout(width: 16, matrices: 1, rows: 5, depth: 3, matrixStride: 0, rowStride: 3, depthStride: 1))
    #expect(plan.floats(plan.steps[0].inputs[1]) == [Float](repeating: 1, count: 15))
    #expect(plan.packing(plan.steps[0].inputs[2]) == nil)
  }

  /// Depthwise weights are read as they are; the 1x1 GEMM's weights in 6-row panels, one matrix per group.
  @Test func weightsArePackedForTheMethodTheRuntimeChooses() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,4,6,6]")
    let depthwise = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: .explicit([1, 1, 1, 1]), group: 4)),
      [x, b.filled("f32[4,1,3,3]", 1, name: "dw")])
    let y = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]), group: 2)),
      [depthwise, b.filled("f32[8,2,1,1]", 1, name: "pw")])
    let (_, plan) = try compile(b, outputs: [y])
    let steps = plan.steps(.f32ConvNCHWGeneric)
    #expect(plan.packing(steps[0].inputs[1]) == nil)
    #expect(
      plan.packing(steps[1].inputs[1])
        == PanelLayout(width: 6, matrices: 2, rows: 4, depth: 2, matrixStride: 8, rowStride: 2, depthStride: 1))
  }

  /// ResNet's 3×3 convolutions run Winograd: their weights are stored transformed for the tile of their
  /// output (F(4×4) at 14×14, F(2×2) at 7×7), in 6-row panels, by the transform the runtime would apply.
  /// (Row-major: alone between the graph's input and output, this convolution's Winograd work would pay for
  /// two reorders, and channels-last Winograd stores 16-wide panels instead.)
  @Test(arguments: [(14, 4), (7, 2)])
  func winogradWeightsAreStoredTransformed(side: Int, tile: Int) throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,32,\(side),\(side)]")
    let values: [Float] = (0..<(32 * 32 * 9)).map { index in Float((index * 37) % 101) / 50 - 1 }
    let y = try b.value(
      .conv(convAttributes(kernel: [3, 3], padding: .explicit([1, 1, 1, 1]))),
      [x, b.floats(values, [32, 32, 3, 3], name: "w")])
    let (_, plan) = try compile(b, outputs: [y], options: CodegenOptions(activationLayout: .rowMajor))
    let weights = plan.steps[0].inputs[1]
    let layout = try #require(WinogradFilter.layout(outputTile: tile, groups: 1, rows: 32, depth: 32, width: 6))
    #expect(plan.packing(weights) == layout)
    #expect(plan.shape(weights) == [32, 32, 3, 3])
    var expected = [Float](repeating: .nan, count: layout.floatCount)
    values.withUnsafeBufferPointer { source in
      expected.withUnsafeMutableBufferPointer { WinogradFilter.transform(source.baseAddress!, layout: layout, into: $0.baseAddress!) }
    }
    #expect(plan.storedFloats(weights) == expected)
    #expect(layout.floatCount == (tile + 2) * (tile + 2) * 36 * 32, "n² frequencies of 32x32, rows padded to 36")
  }

  @Test func matMulWithFusedBiasResidualAndGelu() throws {
    let b = GraphBuilder()
    let a = b.input("f32[2,8,16]")
    let skip = b.input("f32[2,8,4]", name: "skip")
    let y = try b.value(
      .matMul(Epilogue(residual: true, activation: .gelu(.tanh))),
      [a, b.filled("f32[16,4]", 1, name: "w"), b.filled("f32[4]", 1, name: "bias"), skip])
    let (_, plan) = try compile(b, outputs: [y])
    let step = try #require(plan.steps(.f32MatMulGeneric).first)
    #expect(step.inputs.count == 4)
    let epilogue = step.matmul.epilogue
    #expect(epilogue.hasBias_p && epilogue.hasResidual_p && epilogue.activation.kind == .geluTanh)
  }

  @Test func integerMatMulIsAClearError() throws {
    let b = GraphBuilder()
    let a = b.input("i64[2,3]")
    let y = try b.value(.matMul(.none), [a, b.constant(.int64, [1, 2, 3, 4, 5, 6], [3, 2])], name: "int_mm")
    let error = try #require(compileError(b, outputs: [y]))
    #expect(error.node == "int_mm" && error.opType == "MatMul")
    #expect(error.message.contains("int64") && error.message.contains("float"))
  }
}
