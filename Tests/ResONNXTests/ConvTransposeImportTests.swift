import ResIR
import Testing

@testable import ResONNX

/// ConvTranspose as a stride-1 convolution over the input spread by the strides (numbers: ONNX's 11 node
/// tests and the residual_unet fixture): the adjoint weight, the spread, the crop for large pads, and one
/// error per malformed attribute.
@Suite struct ConvTransposeImportTests {
  typealias Version = OpVersionTests

  static func model(
    dims: [TestModel.DimSpec] = [1, 2, 3, 3], weightDims: [Int] = [2, 1, 2, 2], _ attributes: [Onnx_AttributeProto]
  ) -> TestModel {
    Version.model(opset: 17, dims: dims) {
      let count = weightDims.reduce(1, *)
      $0.initializer(Tensors.floats("w", dims: weightDims, (0..<count).map(Float.init)))
      $0.node("ConvTranspose", ["x", "w"], ["y"], name: "n", attributes)
    }
  }

  /// `[C, M/g, k…]` → `[M, C/g, k…]` with each kernel reversed; at stride 1 there is no spread.
  @Test func strideOneIsOneConvolutionWithTheAdjointWeight() throws {
    let imported = try Self.model([Attr.int("group", 2)]).imported()
    let node = try imported.node("n")
    guard case .conv(let attributes) = node.op else { Issue.record("not a conv: \(node.op)"); return }
    #expect(attributes.group == 2 && attributes.padding == .explicit([1, 1, 1, 1]))
    let weight = try #require(node.input(1).flatMap { imported.graph.constant($0) })
    #expect(weight.dims == [2, 1, 2, 2] && weight.doubles() == [3, 2, 1, 0, 7, 6, 5, 4])
    #expect(imported.graph.nodes.count == 1)
    #expect(imported.graph.type(of: node.outputs[0]) == TensorType(.float32, dims: [1, 2, 4, 4]))
  }

  /// Stride 2, dilation 2, k 3, pads 1, output_padding 1: the spread input (6 wide, trailing zero trimmed
  /// through the end pad) convolved with pads [3, 3] gives 2·(3 − 1) + 1 + 2·(3 − 1) + 1 − 2 = 8.
  @Test func dilatedStridedSpreadsTheInput() throws {
    let imported = try Self.model(
      weightDims: [2, 1, 3, 3],
      [
        Attr.ints("strides", [2, 2]), Attr.ints("dilations", [2, 2]), Attr.ints("pads", [1, 1, 1, 1]),
        Attr.ints("output_padding", [1, 1]),
      ]
    ).imported()
    #expect(try imported.node("n.spread_axes").op == .unsqueeze(axes: [3, 5]))
    let spread = try imported.node("n.spread_input")
    #expect(imported.graph.type(of: spread.outputs[0]) == TensorType(.float32, dims: [1, 2, 6, 6]))
    guard case .conv(let attributes) = try imported.node("n").op else { Issue.record("not a conv"); return }
    #expect(attributes.padding == .explicit([3, 3, 3, 3]))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 1, 8, 8]))
  }

  /// Undilated and strided: one Conv of ⌈3/2⌉ = 2 taps makes M·4 phase planes of 3 + 1 rows (one leading pad
  /// row, one trailing for the output_padding), moved into place and cropped by the pads: 6x6.
  @Test func stridedIsOnePhaseConvolution() throws {
    let imported = try Self.model(
      weightDims: [2, 1, 3, 3],
      [Attr.ints("strides", [2, 2]), Attr.ints("pads", [1, 1, 1, 1]), Attr.ints("output_padding", [1, 1])]
    ).imported()
    guard case .conv(let attributes) = try imported.node("n.phases").op else { Issue.record("not a conv"); return }
    #expect(attributes.kernelShape == [2, 2] && attributes.padding == .explicit([1, 1, 1, 1]))
    let planes = try imported.node("n.phases").outputs[0]
    #expect(imported.graph.type(of: planes) == TensorType(.float32, dims: [1, 4, 4, 4]))
    #expect(try imported.node("n").op == .slice)
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 1, 6, 6]))
  }

  /// Pads beyond the kernel's reach cut rows off the input instead of padding it.
  @Test func padsBeyondTheReachCrop() throws {
    let imported = try Self.model([Attr.ints("pads", [2, 0, 1, 0])]).imported()
    #expect(try imported.node("n.cropped").op == .slice)
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 1, 1, 4]))
  }

  /// Strides far beyond the kernel would make the phase weight mostly zeros (2^32 phases for a 2×2 kernel at
  /// stride 65,536, an allocation that aborted the process): such a layer takes the spread form.
  @Test func stridesFarBeyondTheKernelTakeTheSpreadForm() throws {
    let imported = try Self.model(weightDims: [2, 1, 2, 2], [Attr.ints("strides", [65536, 65536])]).imported()
    #expect(imported.graph.nodes.contains { $0.name == "n.spread_input" })
    #expect(!imported.graph.nodes.contains { $0.name == "n.phases" })
    let moderate = try Self.model(weightDims: [2, 1, 1, 1], [Attr.ints("strides", [4, 4])]).imported()
    #expect(moderate.graph.nodes.contains { $0.name == "n.phases" })
  }

  @Test func outputShapeDecidesThePads() throws {
    let imported = try Self.model([Attr.ints("strides", [2, 2]), Attr.ints("output_shape", [5, 6])]).imported()
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 1, 5, 6]))
  }

  /// Col2Im (F.fold) is a one-hot ConvTranspose; image rows past the last block become output_padding.
  @Test func col2ImIsAOneHotConvTranspose() throws {
    func model(image: [Int], columns: Int) -> TestModel {
      Version.model(opset: 18, dims: [1, 18, .value(columns)]) {
        $0.initializer(Tensors.int64s("image", image))
        $0.initializer(Tensors.int64s("block", [3, 3]))
        $0.node(
          "Col2Im", ["x", "image", "block"], ["y"], name: "n",
          [Attr.ints("strides", [2, 2]), Attr.ints("pads", [1, 1, 1, 1])])
      }
    }
    let imported = try model(image: [6, 6], columns: 9).imported()
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 2, 6, 6]))
    let weight = try imported.constant("n_one_hot")
    #expect(weight.dims == [18, 1, 3, 3] && weight.doubles().reduce(0, +) == 18)
    #expect(
      model(image: [6, 6], columns: 8).importError()?.message == "input has 8 columns, but [3, 3] blocks fit the image")
    #expect(
      model(image: [6, 6, 6], columns: 9).importError()?.message
        == "image_shape [6, 6, 6] and block_shape [3, 3] must have one size per spatial axis")
  }

  @Test func malformedAttributesAreErrors() throws {
    let cases: [([Onnx_AttributeProto], [Int], String)] = [
      ([Attr.ints("strides", [2, 2]), Attr.ints("output_padding", [2, 0])], [2, 1, 2, 2],
       "output_padding [2, 0] must be below the stride or dilation of each axis"),
      ([Attr.int("group", 3)], [2, 1, 2, 2], "group 3 does not divide the weight's 2 input channels"),
      ([], [3, 1, 2, 2], "X has 2 channels but W expects 3"),
      ([Attr.ints("kernel_shape", [3, 3])], [2, 1, 2, 2],
       "kernel_shape [3, 3] does not match the weight's spatial shape [2, 2]"),
      ([Attr.ints("pads", [1, 1])], [2, 1, 2, 2], "pads [1, 1] must hold 4 non-negative entries"),
      ([Attr.ints("pads", [3, 0, 3, 0])], [2, 1, 2, 2], "pads remove the whole output"),
      ([Attr.ints("output_shape", [0, 4])], [2, 1, 2, 2], "output_shape [0, 4] has a size below 1 or above 2^40"),
      ([Attr.string("auto_pad", "SAME")], [2, 1, 2, 2],
       "auto_pad 'SAME' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER"),
    ]
    for (attributes, weightDims, message) in cases {
      #expect(Self.model(weightDims: weightDims, attributes).importError()?.message == message, "\(message)")
    }
    let variableWeight = Version.model(opset: 17, dims: [1, 2, 3, 3]) {
      $0.input("w", .float, [2, 1, 2, 2])
      $0.node("ConvTranspose", ["x", "w"], ["y"], name: "n")
    }
    #expect(variableWeight.importError()?.message == "the weight W must be a constant")
  }

  /// A dynamic height and width (`torch.onnx.export` with `dynamic_axes`): the ConvTranspose's sizes are only
  /// known when the input symbols are bound as the model is read (`ONNXImportOptions.dimensionBindings`);
  /// without them the error says how to give them, and a binding naming no input symbol is refused.
  @Test func symbolicSizesImportWhenBoundWhileReading() throws {
    let model = Self.model(dims: ["N", 2, "H", "W"], [Attr.ints("strides", [2, 2])])
    func importing(_ dimensions: [String: Int]) throws(ModelError) -> ImportedModel {
      try ONNXImporter.importModel(
        bytes: model.bytes, baseDirectory: nil, options: ONNXImportOptions(dimensionBindings: dimensions))
    }
    let unbound = try #require(model.importError())
    #expect(unbound.message.contains("no known size (H)") && unbound.message.contains("--dim"))
    let imported = try importing(["H": 3, "W": 5])
    #expect(imported.graph.type(of: imported.graph.inputs[0]) == TensorType(.float32, [.symbol("N"), .known(2), .known(3), .known(5)]))
    #expect(imported.graph.type(of: imported.graph.outputs[0]).shape.suffix(2) == [.known(6), .known(10)])
    #expect(throws: ModelError.self) { _ = try importing(["H": 3, "W": 5, "Height": 3]) }
    #expect(throws: ModelError.self) { _ = try importing(["H": 0, "W": 5]) }
  }
}
