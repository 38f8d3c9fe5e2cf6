import ResIR

/// The mapping between ONNX's `TensorProto.DataType` codes and the IR's element types.
///
/// Used for tensors, value types and `Cast`'s `to` attribute alike, so that every place that rejects an
/// unsupported type names it the same way.
enum ONNXDataType {
  static func dtype(code: Int) -> DType? {
    guard let known = Onnx_TensorProto.DataType(rawValue: code) else { return nil }
    switch known {
    case .float: return .float32
    case .float16: return .float16
    case .double: return .float64
    case .int64: return .int64
    case .int32: return .int32
    case .int8: return .int8
    case .uint8: return .uint8
    case .bool: return .bool
    case .undefined, .uint16, .int16, .string, .uint32, .uint64, .complex64, .complex128, .bfloat16,
      .float8E4M3Fn, .float8E4M3Fnuz, .float8E5M2, .float8E5M2Fnuz, .uint4, .int4, .float4E2M1, .float8E8M0,
      .uint2, .int2, .float6E2M3, .float6E3M2:
      return nil
    }
  }

  /// The ONNX code of an IR element type.
  static func code(of dtype: DType) -> Int {
    let known: Onnx_TensorProto.DataType
    switch dtype {
    case .float32: known = .float
    case .float16: known = .float16
    case .float64: known = .double
    case .int64: known = .int64
    case .int32: known = .int32
    case .int8: known = .int8
    case .uint8: known = .uint8
    case .bool: known = .bool
    }
    return known.rawValue
  }

  /// The name of a data type code for error messages (`bfloat16`, `string`, or the number when unknown).
  static func name(code: Int) -> String {
    guard let known = Onnx_TensorProto.DataType(rawValue: code) else { return "data type \(code)" }
    return "\(known)"
  }

  /// The code of a data type named as `TensorProto.DataType` spells it ("FLOAT", "INT64"): Cast's `to` is
  /// such a string before opset 6.
  static func code(named name: String) -> Int? {
    let wanted = name.uppercased()
    return (0..<64).first { code in
      Onnx_TensorProto.DataType(rawValue: code).map { "\($0)".uppercased() == wanted } ?? false
    }
  }

  /// The error for a data type rescompile does not compute in.
  static func unsupportedMessage(code: Int) -> String {
    let supported = DType.allCases.map(\.onnxName).joined(separator: ", ")
    return "element type \(name(code: code)) is not supported (supported: \(supported))"
  }
}
