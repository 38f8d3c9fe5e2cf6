import ResIR
import Testing

@testable import ResONNX

/// onnxruntime's quantized operator format and dynamic quantization (`GraphBuilder+IntegerProducts`,
/// `+DynamicQuantization`, `+MicrosoftQuantized`): what each operator becomes and what is refused. Their
/// numbers are checked against onnxruntime by fixtures/legacy's `ort_qoperator_block_opset17` and
/// `ort_dynamic_quantization_opset17` (bit for bit) and by ONNX's node tests.
@Suite struct QuantizedOperatorImportTests {
  /// A model reading `x` (uint8 `[1, 2, 4, 4]`) that imports onnxruntime's contrib domain.
  private static func model(_ build: (inout TestModel) -> Void) -> TestModel {
    var model = TestModel(opset: 17)
    var contrib = Onnx_OperatorSetIdProto()
    contrib.domain = "com.microsoft"
    contrib.version = 1
    model.proto.opsetImport.append(contrib)
    model.input("x", .uint8, [1, 2, 4, 4])
    model.initializer(Tensors.floats("s", dims: [], [0.1]))
    model.initializer(Tensors.raw("z", .uint8, dims: [], bytes: [128]))
    build(&model)
    model.output("y")
    return model
  }

  private static func contribNode(
    _ model: inout TestModel, _ opType: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = []
  ) {
    model.node(opType, inputs, ["y"], name: "n", attributes)
    model.proto.graph.node[model.proto.graph.node.count - 1].domain = "com.microsoft"
  }

  @Test func qLinearAddDequantizesAddsAndQuantizes() throws {
    let imported = try Self.model {
      Self.contribNode(&$0, "QLinearAdd", ["x", "s", "z", "x", "s", "z", "s", "z"])
    }.imported()
    #expect(try imported.node("n.wide_result").op == .binary(.add))
    #expect(try imported.node("n.a").op == .cast(to: .float64))
    #expect(try imported.node("n.level").op == .unary(.round))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.uint8, dims: [1, 2, 4, 4]))
  }

  @Test func contribOperatorsOutsideTheQuantizedSetAreRefused() {
    let fused = Self.model { Self.contribNode(&$0, "FusedConv", ["x", "s"]) }
    #expect(fused.importError()?.message.contains("com.microsoft::FusedConv [opset 1]") == true)
  }

  @Test func channelsLastPoolingIsRefused() {
    let pooled = Self.model {
      Self.contribNode(&$0, "QLinearGlobalAveragePool", ["x", "s", "z", "s", "z"], [Attr.int("channels_last", 1)])
    }
    #expect(pooled.importError()?.message == "channels_last=1 is not supported")
  }

  @Test func convIntegerConvolvesCenteredLevels() throws {
    let imported = try Self.model {
      $0.initializer(Tensors.raw("w", .uint8, dims: [3, 2, 1, 1], bytes: [1, 2, 3, 4, 5, 6]))
      $0.initializer(Tensors.raw("wz", .uint8, dims: [3], bytes: [1, 2, 3]))
      $0.node("ConvInteger", ["x", "w", "z", "wz"], ["y"], name: "n")
    }.imported()
    #expect(try imported.node("n.w_zero_point_channels").op == .unsqueeze(axes: [1, 2, 3]))
    #expect(try imported.node("n.x_centered").op == .binary(.sub))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.int32, dims: [1, 3, 4, 4]))
  }

  @Test func integerProductsRefuseWiderIntegers() {
    let wide = Self.model {
      $0.initializer(Tensors.int64s("w", dims: [2, 2], [1, 2, 3, 4]))
      $0.node("Reshape", ["x", "shape"], ["x2"], name: "r")
      $0.initializer(Tensors.int64s("shape", dims: [2], [16, 2]))
      $0.node("MatMulInteger", ["x2", "w"], ["y"], name: "n")
    }
    #expect(wide.importError()?.message == "element type int64 is not supported (int8 and uint8 are)")
  }

  @Test func qLinearConvWithAPerChannelInputZeroPointIsRefused() {
    let perChannel = Self.model {
      $0.initializer(Tensors.raw("w", .uint8, dims: [2, 2, 1, 1], bytes: [1, 2, 3, 4]))
      $0.initializer(Tensors.raw("xz", .uint8, dims: [2], bytes: [1, 2]))
      $0.node("QLinearConv", ["x", "s", "xz", "w", "s", "z", "s", "z"], ["y"], name: "n")
    }
    #expect(perChannel.importError()?.message == "x_zero_point must hold one value (x is quantized per tensor)")
  }

  @Test func eightBitMaxPoolPoolsInFloat() throws {
    let imported = try Self.model {
      $0.node("MaxPool", ["x"], ["y"], name: "n", [Attr.ints("kernel_shape", [2, 2])])
    }.imported()
    #expect(try imported.node("n.levels").op == .cast(to: .float32))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.uint8, dims: [1, 2, 3, 3]))
  }

  @Test func dynamicQuantizeLinearNamesItsThreeOutputs() throws {
    var model = TestModel(opset: 17)
    model.input("x", .float, [2, 3])
    model.node("DynamicQuantizeLinear", ["x"], ["y", "scale", "zero"], name: "n")
    model.output("y")
    model.output("scale")
    model.output("zero")
    let imported = try model.imported()
    let types = imported.graph.outputs.map { imported.graph.type(of: $0) }
    #expect(types == [TensorType(.uint8, dims: [2, 3]), TensorType(.float32, dims: []), TensorType(.uint8, dims: [])])
  }
  // MARK: - QDQ fusion

  /// `Q(Conv(DQ(x), DQ(w), DQ(b)))` over a float input `x` quantized first, `bias_scale` given per channel.
  private static func qdqConv(biasScale: [Float], extraReader: Bool = false) -> TestModel {
    var model = TestModel(opset: 17)
    model.input("x", .float, [1, 2, 4, 4])
    model.initializer(Tensors.floats("xs", dims: [], [0.02]))
    model.initializer(Tensors.raw("xz", .uint8, dims: [], bytes: [128]))
    model.initializer(Tensors.raw("w", .int8, dims: [2, 2, 3, 3], bytes: (0..<36).map { UInt8($0 * 7 % 256) }))
    model.initializer(Tensors.floats("ws", dims: [2], [0.003, 0.005]))
    model.initializer(Tensors.raw("wz", .int8, dims: [2], bytes: [0, 0]))
    model.initializer(Tensors.raw("b", .int32, dims: [2], bytes: [100, 0, 0, 0, 0xF0, 0xFF, 0xFF, 0xFF]))
    model.initializer(Tensors.floats("bs", dims: [2], biasScale))
    model.initializer(Tensors.floats("ys", dims: [], [0.05]))
    model.initializer(Tensors.raw("yz", .uint8, dims: [], bytes: [100]))
    model.node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name: "qx")
    model.node("DequantizeLinear", ["xq", "xs", "xz"], ["xf"], name: "dqx")
    model.node("DequantizeLinear", ["w", "ws", "wz"], ["wf"], name: "dqw", [Attr.int("axis", 0)])
    model.node("DequantizeLinear", ["b", "bs"], ["bf"], name: "dqb", [Attr.int("axis", 0)])
    model.node("Conv", ["xf", "wf", "bf"], ["c"], name: "conv", [Attr.ints("pads", [1, 1, 1, 1])])
    model.node("QuantizeLinear", ["c", "ys", "yz"], ["y"], name: "qy")
    model.output("y")
    if extraReader {
      model.node("Relu", ["c"], ["r"], name: "other")
      model.output("r")
    }
    return model
  }

  private static func exactConvolutions(_ imported: ImportedModel) -> Int {
    imported.graph.nodes.filter { if case .conv(let a) = $0.op { a.exactSums } else { false } }.count
  }

  @Test func qdqConvolutionSumsIntegerLevels() throws {
    let biasScale = [Float(0.02) * 0.003, Float(0.02) * 0.005]
    let imported = try Self.qdqConv(biasScale: biasScale).imported()
    #expect(Self.exactConvolutions(imported) == 1)
    #expect(imported.modelChanges.contains { $0.hasPrefix("conv: Conv between DequantizeLinear and QuantizeLinear") })
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.uint8, dims: [1, 2, 4, 4]))
  }

  @Test func qdqConvolutionWithAnotherBiasScaleImportsAsWritten() throws {
    let imported = try Self.qdqConv(biasScale: [0.0001, 0.0001]).imported()
    #expect(Self.exactConvolutions(imported) == 0)
    #expect(imported.modelChanges.isEmpty)
  }

  @Test func qdqConvolutionReadByAnotherNodeImportsAsWritten() throws {
    let biasScale = [Float(0.02) * 0.003, Float(0.02) * 0.005]
    let imported = try Self.qdqConv(biasScale: biasScale, extraReader: true).imported()
    #expect(Self.exactConvolutions(imported) == 0)
  }
}
