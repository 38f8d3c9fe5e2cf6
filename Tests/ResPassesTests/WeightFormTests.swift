import Foundation
import ResIR
import ResPasses
import SwiftProtobuf
import Testing

@testable import ResONNX

/// Peer pitfall 8: a weight given as an initializer, as a `Constant` node, or as `Identity` of an initializer
/// canonicalizes to the same graph, so every later pattern sees the same constant operand whatever the form
/// (onnx/optimizer's BN folding broke on one of the forms).
@Suite struct WeightFormTests {
  enum Form: CaseIterable {
    case initializer
    case constantNode
    case identityOfInitializer
  }

  @Test func pitfall8WeightFormsCanonicalizeIdentically() throws {
    let printed = try Form.allCases.map { form in
      let graph = try ONNXImporter.importModel(bytes: Self.model(form), baseDirectory: nil).graph
      return TextFormat.print(try Canonicalization.run(on: graph).graph)
    }
    #expect(printed[0].contains("Conv \"conv\" (%x, @W, @B)"), "\(printed[0])")
    #expect(!printed[0].contains("Identity"))
    for (form, text) in zip(Form.allCases, printed) {
      #expect(text == printed[0], "\(form) canonicalizes differently:\n\(text)")
    }
  }

  /// `y = Conv(x, W, B)` with W and B given in `form` (the Identity's input is the initializer named W, so that
  /// after canonicalization the convolution reads a constant of the same name in every form).
  static func model(_ form: Form) throws -> [UInt8] {
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = 17
    model.opsetImport = [opset]
    model.graph.name = "weights"
    model.graph.input = [valueInfo("x", [1, 2, 4, 4])]
    model.graph.output = [valueInfo("y", [1, 2, 4, 4])]
    let weight = tensor("W", dims: [2, 2, 1, 1], [1, 0.5, -0.5, 2])
    let bias = tensor("B", dims: [2], [0.25, -0.25])
    var convInputs = ["x", "W", "B"]
    switch form {
    case .initializer:
      model.graph.initializer = [weight, bias]
    case .constantNode:
      model.graph.node = [constantNode(weight), constantNode(bias)]
    case .identityOfInitializer:
      model.graph.initializer = [weight, bias]
      model.graph.node = [node("Identity", ["W"], ["W_read"]), node("Identity", ["B"], ["B_read"])]
      convInputs = ["x", "W_read", "B_read"]
    }
    var conv = node("Conv", convInputs, ["y"])
    conv.name = "conv"
    conv.attribute = [ints("kernel_shape", [1, 1]), ints("pads", [0, 0, 0, 0]), ints("strides", [1, 1])]
    model.graph.node.append(conv)
    return try model.serializedBytes()
  }

  static func valueInfo(_ name: String, _ dims: [Int]) -> Onnx_ValueInfoProto {
    var info = Onnx_ValueInfoProto()
    info.name = name
    info.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    info.type.tensorType.shape.dim = dims.map { size in
      var dim = Onnx_TensorShapeProto.Dimension()
      dim.dimValue = Int64(size)
      return dim
    }
    return info
  }

  static func tensor(_ name: String, dims: [Int], _ values: [Float]) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    tensor.dims = dims.map(Int64.init)
    tensor.floatData = values
    return tensor
  }

  static func node(_ opType: String, _ inputs: [String], _ outputs: [String]) -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.opType = opType
    node.name = outputs[0] + "_node"
    node.input = inputs
    node.output = outputs
    return node
  }

  /// A `Constant` node whose output has the tensor's name.
  static func constantNode(_ value: Onnx_TensorProto) -> Onnx_NodeProto {
    var node = node("Constant", [], [value.name])
    var attribute = Onnx_AttributeProto()
    attribute.name = "value"
    attribute.type = .tensor
    attribute.t = value
    node.attribute = [attribute]
    return node
  }

  static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .ints
    attribute.ints = values.map(Int64.init)
    return attribute
  }
}
