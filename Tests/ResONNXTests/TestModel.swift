import Foundation
import ResIR
import SwiftProtobuf
import Testing

@testable import ResONNX

/// Builds small ONNX models in Swift, so the importer's tests need neither Python nor fixture files.
struct TestModel {
  var proto = Onnx_ModelProto()

  init(opset: Int = 17, irVersion: Int = 8) {
    proto.irVersion = Int64(irVersion)
    proto.producerName = "rescompile-tests"
    var opsetImport = Onnx_OperatorSetIdProto()
    opsetImport.domain = ""
    opsetImport.version = Int64(opset)
    proto.opsetImport = [opsetImport]
    proto.graph.name = "test"
  }

  /// One dimension of a declared shape: a number, a symbol, or nil for "unknown".
  enum DimSpec: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    case value(Int)
    case symbol(String)
    case unknown
    init(integerLiteral value: Int) { self = .value(value) }
    init(stringLiteral value: String) { self = .symbol(value) }
    init(nilLiteral: ()) { self = .unknown }
  }

  static func valueInfo(_ name: String, _ dtype: Onnx_TensorProto.DataType, _ dims: [DimSpec]) -> Onnx_ValueInfoProto {
    var info = Onnx_ValueInfoProto()
    info.name = name
    var tensorType = Onnx_TypeProto.Tensor()
    tensorType.elemType = Int32(dtype.rawValue)
    var shape = Onnx_TensorShapeProto()
    shape.dim = dims.map { spec in
      var dim = Onnx_TensorShapeProto.Dimension()
      switch spec {
      case .value(let v): dim.dimValue = Int64(v)
      case .symbol(let s): dim.dimParam = s
      case .unknown: break
      }
      return dim
    }
    tensorType.shape = shape
    info.type.tensorType = tensorType
    return info
  }

  mutating func input(_ name: String, _ dtype: Onnx_TensorProto.DataType = .float, _ dims: [DimSpec]) {
    proto.graph.input.append(Self.valueInfo(name, dtype, dims))
  }

  mutating func output(_ name: String, _ dtype: Onnx_TensorProto.DataType = .float, _ dims: [DimSpec]? = nil) {
    if let dims {
      proto.graph.output.append(Self.valueInfo(name, dtype, dims))
    } else {
      var info = Onnx_ValueInfoProto()
      info.name = name
      proto.graph.output.append(info)
    }
  }

  mutating func initializer(_ tensor: Onnx_TensorProto) {
    proto.graph.initializer.append(tensor)
  }

  @discardableResult
  mutating func node(
    _ opType: String, _ inputs: [String], _ outputs: [String], name: String? = nil,
    _ attributes: [Onnx_AttributeProto] = []
  ) -> Onnx_NodeProto {
    let node = Nodes.make(
      opType, inputs, outputs, name: name ?? "\(opType.lowercased())\(proto.graph.node.count)", attributes)
    proto.graph.node.append(node)
    return node
  }

  var bytes: [UInt8] {
    // Serializing a message built in the test itself cannot fail.
    (try? proto.serializedBytes()) ?? []
  }

  func imported(
    bindings: [String: Constant] = [:], baseDirectory: String? = nil
  ) throws(ModelError) -> ImportedModel {
    try ONNXImporter.importModel(
      bytes: bytes, baseDirectory: baseDirectory, options: ONNXImportOptions(inputBindings: bindings))
  }

  /// The error importing this model gives, or nil when it imports.
  func importError(bindings: [String: Constant] = [:], baseDirectory: String? = nil) -> ModelError? {
    do {
      _ = try imported(bindings: bindings, baseDirectory: baseDirectory)
      return nil
    } catch {
      return error
    }
  }
}

// MARK: - Tensors and attributes

enum Tensors {
  static func raw(
    _ name: String, _ dtype: Onnx_TensorProto.DataType, dims: [Int], bytes: [UInt8]
  ) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dataType = Int32(dtype.rawValue)
    tensor.dims = dims.map { Int64($0) }
    tensor.rawData = Data(bytes)
    return tensor
  }

  static func floats(_ name: String, dims: [Int], _ values: [Float]) -> Onnx_TensorProto {
    raw(name, .float, dims: dims, bytes: values.flatMap(littleEndianBytes))
  }

  static func int64s(_ name: String, dims: [Int]? = nil, _ values: [Int]) -> Onnx_TensorProto {
    raw(name, .int64, dims: dims ?? [values.count], bytes: values.flatMap { littleEndianBytes(Int64($0)) })
  }

  static func littleEndianBytes<T: BitwiseCopyable>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
  }
}

/// Free-standing nodes, for subgraphs and function bodies (`TestModel.node` appends to the main graph).
enum Nodes {
  static func make(
    _ opType: String, _ inputs: [String], _ outputs: [String], name: String = "",
    _ attributes: [Onnx_AttributeProto] = []
  ) -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.opType = opType
    node.input = inputs
    node.output = outputs
    node.name = name
    node.attribute = attributes
    return node
  }
}

enum Attr {
  /// A graph-valued attribute (a Loop's body, an If's branch); outputs are named, untyped.
  static func graph(
    _ name: String, _ nodes: [Onnx_NodeProto], inputs: [Onnx_ValueInfoProto] = [], outputs: [String] = [],
    initializers: [Onnx_TensorProto] = []
  ) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .graph
    attribute.g.name = name
    attribute.g.node = nodes
    attribute.g.input = inputs
    attribute.g.initializer = initializers
    attribute.g.output = outputs.map { output in
      var info = Onnx_ValueInfoProto()
      info.name = output
      return info
    }
    return attribute
  }

  static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .int
    a.i = Int64(value)
    return a
  }

  static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .float
    a.f = value
    return a
  }

  static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .ints
    a.ints = values.map { Int64($0) }
    return a
  }

  static func floats(_ name: String, _ values: [Float]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .floats
    a.floats = values
    return a
  }

  static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .string
    a.s = Data(value.utf8)
    return a
  }

  static func strings(_ name: String, _ values: [String]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .strings
    a.strings = values.map { Data($0.utf8) }
    return a
  }

  static func tensor(_ name: String, _ value: Onnx_TensorProto) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .tensor
    a.t = value
    return a
  }
}

// MARK: - Reading results

extension ImportedModel {
  /// The node whose name is `name`.
  func node(_ name: String) throws -> Node {
    try #require(graph.nodes.first { $0.name == name }, "no node named \(name)")
  }

  /// The constant named `name` (an initializer, a Constant node's output, or a generated constant).
  func constant(_ name: String) throws -> Constant {
    let value = try #require(graph.values.first { $0.name == name }, "no value named \(name)")
    return try #require(value.constant, "\(name) is not a constant")
  }
}

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "rescompile-onnx-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  @discardableResult
  func write(_ bytes: [UInt8], to name: String) throws -> String {
    let file = path + "/" + name
    try FileManager.default.createDirectory(
      atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return file
  }
}
