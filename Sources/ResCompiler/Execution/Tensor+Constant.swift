import ResIR
import ResRuntime

extension Tensor {
  /// A runtime tensor holding a copy of `constant`'s elements (an input read from a `.pb` or `.npy` file).
  ///
  /// Element types Swift has a scalar for become typed arrays, which a runner can read in place; f16 and bool
  /// stay raw bytes (bools normalized to 0 and 1).
  public init(_ constant: Constant) throws(RuntimeError) {
    let shape = constant.dims
    let result: Result<Tensor, RuntimeError> = constant.bytes.withUnsafeBytes { bytes in
      Result { () throws(RuntimeError) -> Tensor in
        switch constant.dtype {
        case .float32: try Tensor(Tensor.copy(bytes, as: Float.self), shape: shape)
        case .float64: try Tensor(Tensor.copy(bytes, as: Double.self), shape: shape)
        case .int64: try Tensor(Tensor.copy(bytes, as: Int64.self), shape: shape)
        case .int32: try Tensor(Tensor.copy(bytes, as: Int32.self), shape: shape)
        case .int8: try Tensor(Tensor.copy(bytes, as: Int8.self), shape: shape)
        case .uint8: try Tensor(Tensor.copy(bytes, as: UInt8.self), shape: shape)
        case .float16: try Tensor(bytes: Array(bytes), elementType: .f16, shape: shape)
        case .bool: try Tensor(bytes: bytes.map { $0 == 0 ? 0 : 1 }, elementType: .bool, shape: shape)
        }
      }
    }
    self = try result.get()
  }

  /// The elements of `bytes` as `Scalar`s, copied without assuming the bytes are aligned (constants borrowed
  /// from a mapped file need not be).
  private static func copy<Scalar: TensorScalar>(_ bytes: UnsafeRawBufferPointer, as _: Scalar.Type) -> [Scalar] {
    let count = bytes.count / MemoryLayout<Scalar>.stride
    return [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let source = bytes.baseAddress, let target = buffer.baseAddress, count > 0 {
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: count * MemoryLayout<Scalar>.stride)
      }
      initialized = count
    }
  }
}

extension Constant {
  /// An IR constant holding a copy of `tensor`'s elements (an output to write to a file or compare).
  public convenience init(_ tensor: Tensor) {
    let bytes = tensor.withUnsafeBytes { TensorBytes(copying: $0) }
    self.init(dtype: DType(tensor.elementType), dims: tensor.shape, bytes: bytes)
  }
}
