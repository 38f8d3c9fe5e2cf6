import Foundation
import ResIR

/// Typed access to a node's attributes, with the checks ONNX's schema would make.
///
/// An attribute of the wrong type, or a required one that is missing, is an error that names the node: a
/// model with `kernel_shape` given as a float must not be read as if it were absent. Attributes whose `type`
/// field is unset (some old exporters) are accepted when the field matching the requested type is set.
struct NodeAttributes {
  private let byName: [String: Onnx_AttributeProto]
  let nodeName: String
  let opType: String

  init(_ node: Onnx_NodeProto, name: String) throws(ModelError) {
    nodeName = name
    opType = node.opType
    var byName: [String: Onnx_AttributeProto] = [:]
    for attribute in node.attribute {
      guard byName[attribute.name] == nil else {
        throw ModelError(node: name, opType: node.opType, "attribute '\(attribute.name)' is given twice")
      }
      guard !attribute.hasRefAttrName else {
        throw ModelError(
          node: name, opType: node.opType,
          "attribute '\(attribute.name)' refers to a function attribute, which is only valid inside functions")
      }
      byName[attribute.name] = attribute
    }
    self.byName = byName
  }

  func has(_ name: String) -> Bool { byName[name] != nil }

  /// The error for this node.
  func error(_ message: String) -> ModelError {
    ModelError(node: nodeName, opType: opType, message)
  }

  // MARK: - Typed getters (nil when absent)

  func int(_ name: String) throws(ModelError) -> Int? {
    try value(name, .int, isSet: \.hasI).map { Int($0.i) }
  }

  func float(_ name: String) throws(ModelError) -> Float? {
    try value(name, .float, isSet: \.hasF).map(\.f)
  }

  func string(_ name: String) throws(ModelError) -> String? {
    guard let attribute = try value(name, .string, isSet: \.hasS) else { return nil }
    guard let text = String(data: attribute.s, encoding: .utf8) else {
      throw error("attribute '\(name)' is not valid UTF-8")
    }
    return text
  }

  func ints(_ name: String) throws(ModelError) -> [Int]? {
    try value(name, .ints, isSet: { !$0.ints.isEmpty }).map { $0.ints.map { Int($0) } }
  }

  func floats(_ name: String) throws(ModelError) -> [Float]? {
    try value(name, .floats, isSet: { !$0.floats.isEmpty }).map(\.floats)
  }

  func strings(_ name: String) throws(ModelError) -> [String]? {
    guard let attribute = try value(name, .strings, isSet: { !$0.strings.isEmpty }) else { return nil }
    var texts: [String] = []
    for data in attribute.strings {
      guard let text = String(data: data, encoding: .utf8) else {
        throw error("attribute '\(name)' holds a string that is not valid UTF-8")
      }
      texts.append(text)
    }
    return texts
  }

  func tensor(_ name: String) throws(ModelError) -> Onnx_TensorProto? {
    try value(name, .tensor, isSet: \.hasT).map(\.t)
  }

  func graph(_ name: String) throws(ModelError) -> Onnx_GraphProto? {
    try value(name, .graph, isSet: \.hasG).map(\.g)
  }

  func requiredGraph(_ name: String) throws(ModelError) -> Onnx_GraphProto {
    guard let value = try graph(name) else { throw missing(name) }
    return value
  }

  // MARK: - Defaults and required attributes

  func int(_ name: String, default fallback: Int) throws(ModelError) -> Int {
    try int(name) ?? fallback
  }

  func float(_ name: String, default fallback: Float) throws(ModelError) -> Float {
    try float(name) ?? fallback
  }

  func string(_ name: String, default fallback: String) throws(ModelError) -> String {
    try string(name) ?? fallback
  }

  /// A 0/1 flag. Other values are an error: a flag of 2 is more likely a broken model than a "true".
  func flag(_ name: String, default fallback: Bool) throws(ModelError) -> Bool {
    guard let raw = try int(name) else { return fallback }
    guard raw == 0 || raw == 1 else { throw error("attribute '\(name)' is \(raw), expected 0 or 1") }
    return raw == 1
  }

  func requiredInt(_ name: String) throws(ModelError) -> Int {
    guard let value = try int(name) else { throw missing(name) }
    return value
  }

  func requiredString(_ name: String) throws(ModelError) -> String {
    guard let value = try string(name) else { throw missing(name) }
    return value
  }

  func requiredInts(_ name: String) throws(ModelError) -> [Int] {
    guard let value = try ints(name) else { throw missing(name) }
    return value
  }

  func missing(_ name: String) -> ModelError {
    error("required attribute '\(name)' is missing")
  }

  // MARK: - Type checking

  private func value(
    _ name: String, _ expected: Onnx_AttributeProto.AttributeType, isSet: (Onnx_AttributeProto) -> Bool
  ) throws(ModelError) -> Onnx_AttributeProto? {
    guard let attribute = byName[name] else { return nil }
    if attribute.hasType, attribute.type != .undefined {
      guard attribute.type == expected else {
        throw error("attribute '\(name)' must be \(Self.describe(expected)), got \(Self.describe(attribute.type))")
      }
      return attribute
    }
    // Untyped attribute (pre-IR-3 writers): accept it when the field for the expected type holds a value,
    // or when it holds nothing at all (an empty list).
    guard isSet(attribute) || Self.holdsNothing(attribute) else {
      throw error("attribute '\(name)' must be \(Self.describe(expected))")
    }
    return attribute
  }

  private static func holdsNothing(_ attribute: Onnx_AttributeProto) -> Bool {
    !attribute.hasF && !attribute.hasI && !attribute.hasS && !attribute.hasT && !attribute.hasG
      && !attribute.hasSparseTensor && !attribute.hasTp && attribute.floats.isEmpty && attribute.ints.isEmpty
      && attribute.strings.isEmpty && attribute.tensors.isEmpty && attribute.graphs.isEmpty
  }

  private static func describe(_ type: Onnx_AttributeProto.AttributeType) -> String {
    switch type {
    case .undefined: "untyped"
    case .float: "a float"
    case .int: "an int"
    case .string: "a string"
    case .tensor: "a tensor"
    case .graph: "a graph"
    case .sparseTensor: "a sparse tensor"
    case .typeProto: "a type"
    case .floats: "a list of floats"
    case .ints: "a list of ints"
    case .strings: "a list of strings"
    case .tensors: "a list of tensors"
    case .graphs: "a list of graphs"
    case .sparseTensors: "a list of sparse tensors"
    case .typeProtos: "a list of types"
    }
  }
}
