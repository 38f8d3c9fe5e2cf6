import Foundation
import ResIR

/// Single tensors stored as serialized ONNX `TensorProto`s: the `input_K.pb` / `output_K.pb` files of ONNX's
/// backend tests and of rescompile's fixtures, which `rescompile run` and `rescompile check` read and write.
public enum ONNXTensorFile {
  /// The tensor in the `.pb` file at `path` and the name it carries (empty when the file names none).
  /// Every encoding the importer accepts is accepted here, except external data.
  public static func read(at path: String) throws(ModelError) -> (name: String, value: Constant) {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ModelError("cannot read tensor file '\(path)': \(error.localizedDescription)")
    }
    let proto: Onnx_TensorProto
    do {
      proto = try Onnx_TensorProto(serializedBytes: data)
    } catch {
      throw ModelError("'\(path)' is not a serialized ONNX TensorProto: \(error)")
    }
    let decoder = TensorDecoder(file: nil, externalData: ExternalData(baseDirectory: nil))
    let value = try decoder.constant(from: proto) { ModelError("tensor file '\(path)': \($0)") }
    return (proto.name, value)
  }

  /// `value` as a serialized `TensorProto` named `name`, with its bytes in `raw_data` (little-endian).
  public static func serialized(_ value: Constant, name: String) -> [UInt8] {
    var proto = Onnx_TensorProto()
    proto.name = name
    proto.dataType = Int32(ONNXDataType.code(of: value.dtype))
    proto.dims = value.dims.map(Int64.init)
    proto.rawData = value.bytes.withUnsafeBytes { Data($0) }
    // Serializing a message we built ourselves, with no required fields, cannot fail.
    return (try? proto.serializedBytes()) ?? []
  }
}
