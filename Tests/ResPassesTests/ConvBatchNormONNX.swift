import Foundation
import ResIR

@testable import ResONNX

/// A small Conv → BatchNormalization model in ONNX's protobuf form, built in Swift so the tests need no files:
/// for what the IR's text form cannot express, such as a weight stored as a `Constant` node or a
/// BatchNormalization without an `epsilon` attribute.
struct ConvBatchNormONNX {
  /// The three ways exporters store a weight (pitfall 8).
  enum WeightEncoding: CaseIterable, Sendable {
    case initializer
    case constantNode
    case identityOfInitializer
  }

  var encoding = WeightEncoding.initializer
  /// nil leaves the attribute out, so the importer applies ONNX's default.
  var epsilon: Float?
  var scale: [Float] = [1.5, -0.75, 0.5]
  var variance: [Float] = [0.5, 2, 0.05]
  var opset = 17
  /// Sets `training_mode=1` (BatchNormalization-14 and later), which the importer must refuse.
  var trainingMode = false

  static let weightDims = [3, 2, 3, 3]
  static let weight: [Float] = (0..<54).map { Float($0 % 11) * 0.125 - 0.625 }

  func imported() throws(ModelError) -> Graph {
    try ONNXImporter.importModel(bytes: bytes, baseDirectory: nil).graph
  }

  var bytes: [UInt8] {
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opsetImport = Onnx_OperatorSetIdProto()
    opsetImport.version = Int64(opset)
    model.opsetImport = [opsetImport]
    model.graph = graph
    // Serializing a message built here, with no required fields, cannot fail.
    return (try? model.serializedBytes()) ?? []
  }

  private var graph: Onnx_GraphProto {
    var graph = Onnx_GraphProto()
    graph.name = "conv_bn"
    graph.input = [Self.floatInput("x", dims: [1, 2, 5, 5])]
    var output = Onnx_ValueInfoProto()
    output.name = "y"
    graph.output = [output]
    graph.initializer = [
      Self.tensor("scale", dims: [3], scale), Self.tensor("bias", dims: [3], [0.25, -0.5, 1]),
      Self.tensor("mean", dims: [3], [0.1, -0.2, 0.3]), Self.tensor("var", dims: [3], variance),
    ]
    let weight = Self.tensor("w", dims: Self.weightDims, Self.weight)
    switch encoding {
    case .initializer:
      graph.initializer.append(weight)
    case .constantNode:
      var value = Onnx_AttributeProto()
      value.name = "value"
      value.type = .tensor
      value.t = weight
      graph.node.append(Self.node("Constant", [], ["w"], [value]))
    case .identityOfInitializer:
      graph.initializer.append(Self.tensor("w_stored", dims: Self.weightDims, Self.weight))
      graph.node.append(Self.node("Identity", ["w_stored"], ["w"]))
    }
    graph.node.append(Self.node("Conv", ["x", "w"], ["c"], [Self.ints("pads", [1, 1, 1, 1])]))
    var batchNormAttributes: [Onnx_AttributeProto] = []
    if let epsilon {
      var attribute = Onnx_AttributeProto()
      attribute.name = "epsilon"
      attribute.type = .float
      attribute.f = epsilon
      batchNormAttributes.append(attribute)
    }
    if trainingMode {
      var attribute = Onnx_AttributeProto()
      attribute.name = "training_mode"
      attribute.type = .int
      attribute.i = 1
      batchNormAttributes.append(attribute)
    }
    graph.node.append(Self.node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["y"], batchNormAttributes))
    return graph
  }

  private static func node(
    _ opType: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto] = []
  ) -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.opType = opType
    node.name = opType.lowercased()
    node.input = inputs
    node.output = outputs
    node.attribute = attributes
    return node
  }

  private static func tensor(_ name: String, dims: [Int], _ values: [Float]) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dataType = Int32(ONNXDataType.code(of: .float32))
    tensor.dims = dims.map(Int64.init)
    tensor.rawData = values.withUnsafeBytes { Data($0) }
    return tensor
  }

  private static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .ints
    attribute.ints = values.map(Int64.init)
    return attribute
  }

  private static func floatInput(_ name: String, dims: [Int]) -> Onnx_ValueInfoProto {
    var tensorType = Onnx_TypeProto.Tensor()
    tensorType.elemType = Int32(ONNXDataType.code(of: .float32))
    tensorType.shape.dim = dims.map { size in
      var dim = Onnx_TensorShapeProto.Dimension()
      dim.dimValue = Int64(size)
      return dim
    }
    var info = Onnx_ValueInfoProto()
    info.name = name
    info.type.tensorType = tensorType
    return info
  }
}
