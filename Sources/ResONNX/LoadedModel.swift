import Foundation
import ResIR
import SwiftProtobuf

/// A model file read into memory: the decoded structure (calls of the model's local functions expanded,
/// `FunctionInliner`), plus the mapped bytes its weights are borrowed from.
struct LoadedModel {
  var model: Onnx_ModelProto
  /// The model's bytes (mapped from disk, or the caller's bytes copied once).
  var file: FileBytes
  /// Where each initializer's `raw_data` lies in `file` (see `ModelLayout`).
  var rawData: [Range<Int>?]
  /// The folder external data paths are relative to.
  var baseDirectory: String?

  static func load(path: String) throws(ModelError) -> LoadedModel {
    let file = try FileBytes.map(path: path)
    let folder = (path as NSString).deletingLastPathComponent
    return try decode(file, baseDirectory: folder.isEmpty ? "." : folder)
  }

  static func load(bytes: [UInt8], baseDirectory: String?) throws(ModelError) -> LoadedModel {
    try decode(FileBytes(copying: bytes), baseDirectory: baseDirectory)
  }

  private static func decode(_ file: FileBytes, baseDirectory: String?) throws(ModelError) -> LoadedModel {
    guard file.bytes.count > 0 else { throw ModelError("file is empty") }
    let layout = try ModelLayout(scanning: file.bytes)
    var model: Onnx_ModelProto
    do {
      model = try Onnx_ModelProto(serializedBytes: layout.structure)
    } catch {
      throw ModelError("not an ONNX model: the protobuf does not decode as a ModelProto (\(error))")
    }
    guard model.hasGraph else { throw ModelError("not an ONNX model: the protobuf has no graph") }
    guard layout.rawData.count == model.graph.initializer.count else {
      throw ModelError("not an ONNX model: the graph's initializers are malformed")
    }
    try FunctionInliner.inline(&model)
    return LoadedModel(model: model, file: file, rawData: layout.rawData, baseDirectory: baseDirectory)
  }
}
