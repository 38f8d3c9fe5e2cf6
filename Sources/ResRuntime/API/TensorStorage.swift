/// The memory behind a `Tensor`: a Swift array it shares (copy-on-write, so never copied by the tensor) or a
/// caller's raw memory it borrows.
enum TensorStorage: @unchecked Sendable {
  case array(any TensorArray)
  /// Memory the caller keeps alive and unchanged while the tensor is in use (`Tensor(unsafeBorrowing:...)`).
  case borrowed(UnsafeRawBufferPointer)

  func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    switch self {
    case .array(let array): try array.withBytes(body)
    case .borrowed(let bytes): try body(bytes)
    }
  }
}

/// A typed Swift array seen as bytes.
protocol TensorArray: Sendable {
  var elementType: ElementType { get }
  func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R
  mutating func withMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R
}

struct TypedArray<Scalar: TensorScalar>: TensorArray {
  var values: [Scalar]

  var elementType: ElementType { Scalar.elementType }

  func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = values.withUnsafeBytes { bytes in Result { () throws(E) -> R in try body(bytes) } }
    return try result.get()
  }

  mutating func withMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E)
    -> R
  {
    let result: Result<R, E> = values.withUnsafeMutableBytes { bytes in
      Result { () throws(E) -> R in try body(bytes) }
    }
    return try result.get()
  }
}

/// Raw bytes of any element type (f16 data, or a caller's encoded buffer), stored as `[UInt8]`.
struct ByteArray: TensorArray {
  var bytes: [UInt8]
  let elementType: ElementType

  func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = bytes.withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }
    return try result.get()
  }

  mutating func withMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E)
    -> R
  {
    let result: Result<R, E> = bytes.withUnsafeMutableBytes { raw in Result { () throws(E) -> R in try body(raw) } }
    return try result.get()
  }
}

extension ElementType {
  /// A zero-filled array of `count` elements of this type, typed where Swift has the type.
  func zeroArray(count: Int) -> any TensorArray {
    switch self {
    case .f32: TypedArray(values: [Float](repeating: 0, count: count))
    case .f64: TypedArray(values: [Double](repeating: 0, count: count))
    case .i64: TypedArray(values: [Int64](repeating: 0, count: count))
    case .i32: TypedArray(values: [Int32](repeating: 0, count: count))
    case .i8: TypedArray(values: [Int8](repeating: 0, count: count))
    case .u8: TypedArray(values: [UInt8](repeating: 0, count: count))
    case .bool: TypedArray(values: [Bool](repeating: false, count: count))
    case .f16: ByteArray(bytes: [UInt8](repeating: 0, count: count * 2), elementType: .f16)
    }
  }
}
