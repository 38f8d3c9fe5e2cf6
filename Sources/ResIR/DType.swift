/// The element types a tensor can have in rescompile's IR.
///
/// The set is the one the ONNX importer accepts (issue #2): the float types the networks compute in, the integer
/// types that shape arithmetic and indices use, and `bool` for masks. The raw value is the spelling used by the
/// text form, JSON and DOT dumps, so it is part of the dump contract and must not change.
public enum DType: String, CaseIterable, Sendable, Hashable, Codable {
  case float32 = "f32"
  case float16 = "f16"
  case float64 = "f64"
  case int64 = "i64"
  case int32 = "i32"
  case int8 = "i8"
  case uint8 = "u8"
  case bool = "bool"

  /// Bytes per element in the packed little-endian storage of a constant.
  public var byteWidth: Int {
    switch self {
    case .float64, .int64: 8
    case .float32, .int32: 4
    case .float16: 2
    case .int8, .uint8, .bool: 1
    }
  }

  /// Whether arithmetic on this type is floating point (activations, BatchNormalization, Gelu...).
  public var isFloatingPoint: Bool {
    switch self {
    case .float32, .float16, .float64: true
    case .int64, .int32, .int8, .uint8, .bool: false
    }
  }

  /// Whether this is one of the integer types (signed or unsigned), not counting `bool`.
  public var isInteger: Bool {
    switch self {
    case .int64, .int32, .int8, .uint8: true
    case .float32, .float16, .float64, .bool: false
    }
  }

  /// The ONNX name (`float`, `int64`...), used in error messages that speak to the model's author.
  public var onnxName: String {
    switch self {
    case .float32: "float"
    case .float16: "float16"
    case .float64: "double"
    case .int64: "int64"
    case .int32: "int32"
    case .int8: "int8"
    case .uint8: "uint8"
    case .bool: "bool"
    }
  }
}
