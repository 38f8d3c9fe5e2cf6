import Foundation

/// The JSON the CLI prints: pretty, keys sorted (so two runs print the same text), slashes unescaped (paths and
/// ONNX names read as written).
enum JSONText {
  static func render<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }
}
