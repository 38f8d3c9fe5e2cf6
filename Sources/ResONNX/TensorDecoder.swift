import Foundation
import ResIR

/// Turns an ONNX `TensorProto` into a `Constant`, whichever of ONNX's encodings it uses: `raw_data`, the typed
/// repeated fields (`float_data`, `int32_data`...), or external data files.
///
/// Everything about the tensor is validated before any memory is allocated for it: a hostile file that
/// claims a tensor of 2^50 elements gets an error at once, not an allocation failure.
struct TensorDecoder {
  /// The model's bytes, from which `raw_data` ranges located by `ModelLayout` are borrowed.
  var file: FileBytes?
  var externalData: ExternalData

  /// Tensors larger than this are refused outright: no model rescompile targets comes near, and it keeps
  /// every byte count far from overflowing.
  static let maximumElementCount = 1 << 40

  /// - Parameters:
  ///   - rawData: where the tensor's `raw_data` was in `file`, when `ModelLayout` removed it from the proto.
  ///   - error: builds the error for a problem with this tensor, naming it the way the caller wants.
  func constant(
    from tensor: Onnx_TensorProto, rawData: Range<Int>? = nil, error: (String) -> ModelError
  ) throws(ModelError) -> Constant {
    let code = Int(tensor.dataType)
    guard let dtype = ONNXDataType.dtype(code: code) else { throw error(ONNXDataType.unsupportedMessage(code: code)) }
    let dims = try Self.dimensions(of: tensor, error: error)
    guard let count = TensorType.checkedProduct(dims), count < Self.maximumElementCount else {
      throw error("shape [\(dims.map(String.init).joined(separator: ", "))] has more than 2^40 elements")
    }
    guard !tensor.hasSegment else { throw error("segmented tensors are not supported") }
    let byteCount = count * dtype.byteWidth
    let bytes = try storedBytes(
      of: tensor, dtype: dtype, count: count, byteCount: byteCount, rawData: rawData, error: error)
    return Constant(dtype: dtype, dims: dims, bytes: bytes)
  }

  private static func dimensions(
    of tensor: Onnx_TensorProto, error: (String) -> ModelError
  ) throws(ModelError) -> [Int] {
    var dims: [Int] = []
    dims.reserveCapacity(tensor.dims.count)
    for dim in tensor.dims {
      guard dim >= 0 else { throw error("dimension \(dim) is negative") }
      dims.append(Int(dim))
    }
    return dims
  }

  private func storedBytes(
    of tensor: Onnx_TensorProto, dtype: DType, count: Int, byteCount: Int, rawData: Range<Int>?,
    error: (String) -> ModelError
  ) throws(ModelError) -> TensorBytes {
    let typedFields = TypedFields(tensor)
    let hasRawData = rawData != nil || tensor.hasRawData
    if tensor.dataLocation == .external {
      guard !hasRawData, typedFields.isEmpty else { throw error("data is both external and inline") }
      return try externalData.bytes(of: tensor, byteCount: byteCount, error: error)
    }
    if hasRawData {
      guard typedFields.isEmpty else { throw error("data is in both raw_data and a typed field") }
      return try Self.rawBytes(tensor, range: rawData, in: file, byteCount: byteCount, dtype: dtype, error: error)
    }
    return try typedFields.bytes(dtype: dtype, count: count, error: error)
  }

  private static func rawBytes(
    _ tensor: Onnx_TensorProto, range: Range<Int>?, in file: FileBytes?, byteCount: Int, dtype: DType,
    error: (String) -> ModelError
  ) throws(ModelError) -> TensorBytes {
    let stored = range?.count ?? tensor.rawData.count
    guard stored == byteCount else {
      let elements = "\(byteCount / dtype.byteWidth) \(dtype.onnxName) elements"
      throw error("raw_data holds \(stored) bytes, expected \(byteCount) (\(elements))")
    }
    if let range, let file { return file.borrow(range) }
    return tensor.rawData.withUnsafeBytes { TensorBytes(copying: $0) }
  }
}

/// The typed repeated fields of a `TensorProto` and the rules for which element types may use which field.
private struct TypedFields {
  let tensor: Onnx_TensorProto

  init(_ tensor: Onnx_TensorProto) {
    self.tensor = tensor
  }

  var isEmpty: Bool {
    tensor.floatData.isEmpty && tensor.int32Data.isEmpty && tensor.int64Data.isEmpty && tensor.doubleData.isEmpty
      && tensor.uint64Data.isEmpty && tensor.stringData.isEmpty
  }

  /// The field ONNX prescribes for each element type: `int32_data` also carries float16 bit patterns and the
  /// narrow integer types; `uint64_data` is only legal for unsigned 32/64-bit types, which are unsupported.
  private enum Field: String {
    case floatData = "float_data"
    case int32Data = "int32_data"
    case int64Data = "int64_data"
    case doubleData = "double_data"
  }

  private static func field(for dtype: DType) -> Field {
    switch dtype {
    case .float32: .floatData
    case .float16, .int32, .int8, .uint8, .bool: .int32Data
    case .int64: .int64Data
    case .float64: .doubleData
    }
  }

  private func valueCount(in field: Field) -> Int {
    switch field {
    case .floatData: tensor.floatData.count
    case .int32Data: tensor.int32Data.count
    case .int64Data: tensor.int64Data.count
    case .doubleData: tensor.doubleData.count
    }
  }

  /// The total number of values across every typed field.
  private var totalValueCount: Int {
    tensor.floatData.count + tensor.int32Data.count + tensor.int64Data.count + tensor.doubleData.count
      + tensor.uint64Data.count + tensor.stringData.count
  }

  func bytes(dtype: DType, count: Int, error: (String) -> ModelError) throws(ModelError) -> TensorBytes {
    let field = Self.field(for: dtype)
    let stored = valueCount(in: field)
    guard stored == totalValueCount else {
      throw error("a \(dtype.onnxName) tensor must store its values in \(field.rawValue), not another field")
    }
    guard stored == count else {
      throw error(
        stored == 0
          ? "no data (\(count) elements expected)"
          : "\(field.rawValue) holds \(stored) values, expected \(count)")
    }
    switch dtype {
    case .float32: return TensorBytes(copyingScalars: tensor.floatData)
    case .float64: return TensorBytes(copyingScalars: tensor.doubleData)
    case .int64: return TensorBytes(copyingScalars: tensor.int64Data)
    case .int32: return TensorBytes(copyingScalars: tensor.int32Data)
    case .float16: return TensorBytes(copyingScalars: tensor.int32Data.map { UInt16(truncatingIfNeeded: $0) })
    case .int8: return TensorBytes(copyingScalars: tensor.int32Data.map { Int8(truncatingIfNeeded: $0) })
    case .uint8: return TensorBytes(copyingScalars: tensor.int32Data.map { UInt8(truncatingIfNeeded: $0) })
    case .bool: return TensorBytes(copyingScalars: tensor.int32Data.map { $0 != 0 ? UInt8(1) : UInt8(0) })
    }
  }
}
