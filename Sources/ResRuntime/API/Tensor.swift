import ResKernels

/// A shaped, typed block of elements: what a `Runner` takes as inputs and gives as outputs.
///
/// A tensor made from a Swift array shares the array (no copy); one made with `init(unsafeBorrowing:...)`
/// reads the caller's memory where it is. A runner reads such inputs in place when the plan allows it
/// (`Runner`), and the outputs it returns are arrays the kernels wrote directly, handed over without a copy
/// by `scalars(as:)` and `floats`.
public struct Tensor: Sendable {
  public let shape: [Int]
  public let elementType: ElementType
  let storage: TensorStorage

  /// Number of elements: the product of `shape`.
  public var count: Int { shape.reduce(1, *) }

  /// A tensor sharing `scalars` (laid out row-major in `shape`).
  public init<Scalar: TensorScalar>(_ scalars: [Scalar], shape: [Int]) throws(RuntimeError) {
    let count = try Tensor.elementCount(shape)
    guard scalars.count == count else {
      throw .invalidInput("\(scalars.count) values do not fill shape \(ShapeText.of(shape)) (\(count) elements)")
    }
    self.shape = shape
    elementType = Scalar.elementType
    storage = .array(TypedArray(values: scalars))
  }

  /// A tensor of `shape` with every element `value`.
  public init<Scalar: TensorScalar>(repeating value: Scalar, shape: [Int]) throws(RuntimeError) {
    try self.init([Scalar](repeating: value, count: try Tensor.elementCount(shape)), shape: shape)
  }

  /// A tensor over raw little-endian element bytes of `elementType` (for f16 data, or bytes read from a
  /// file).
  public init(bytes: [UInt8], elementType: ElementType, shape: [Int]) throws(RuntimeError) {
    let count = try Tensor.elementCount(shape)
    guard bytes.count == count * elementType.byteWidth else {
      throw .invalidInput(
        "\(bytes.count) bytes do not fill \(elementType.rawValue)\(ShapeText.of(shape)) (\(count * elementType.byteWidth) bytes)")
    }
    self.shape = shape
    self.elementType = elementType
    storage = .array(ByteArray(bytes: bytes, elementType: elementType))
  }

  /// A tensor over the caller's memory, without copying it. The caller keeps `bytes` alive and unchanged as
  /// long as the tensor (or a run using it) may read them.
  public init(unsafeBorrowing bytes: UnsafeRawBufferPointer, elementType: ElementType, shape: [Int])
    throws(RuntimeError)
  {
    let count = try Tensor.elementCount(shape)
    guard bytes.count == count * elementType.byteWidth else {
      throw .invalidInput(
        "\(bytes.count) bytes do not fill \(elementType.rawValue)\(ShapeText.of(shape)) (\(count * elementType.byteWidth) bytes)")
    }
    self.shape = shape
    self.elementType = elementType
    storage = .borrowed(bytes)
  }

  /// A tensor over the caller's typed memory, without copying it (see `init(unsafeBorrowing:elementType:shape:)`).
  public init<Scalar: TensorScalar>(unsafeBorrowing buffer: UnsafeBufferPointer<Scalar>, shape: [Int])
    throws(RuntimeError)
  {
    try self.init(unsafeBorrowing: UnsafeRawBufferPointer(buffer), elementType: Scalar.elementType, shape: shape)
  }

  init(shape: [Int], array: any TensorArray) {
    self.shape = shape
    elementType = array.elementType
    storage = .array(array)
  }

  /// The elements as `Scalar`, which must be this tensor's element type. Shares the tensor's array when it
  /// has one of that type (no copy).
  public func scalars<Scalar: TensorScalar>(as _: Scalar.Type) throws(RuntimeError) -> [Scalar] {
    guard Scalar.elementType == elementType else {
      throw .invalidInput("the tensor holds \(elementType.rawValue), not \(Scalar.elementType.rawValue)")
    }
    if case .array(let array) = storage, let typed = array as? TypedArray<Scalar> { return typed.values }
    return withUnsafeBytes { bytes in Array(bytes.bindMemory(to: Scalar.self)) }
  }

  /// The elements converted to `Float` (exact for f32, f16, and integers up to 2²⁴; bools are 0 and 1).
  /// Shares the tensor's array when it holds f32.
  public var floats: [Float] {
    if case .array(let array) = storage, let typed = array as? TypedArray<Float> { return typed.values }
    return withUnsafeBytes { bytes in
      guard let base = bytes.baseAddress else { return [] }
      return (0..<count).map { ScalarValue.read(elementType, base, $0).asFloat }
    }
  }

  /// Calls `body` with the tensor's bytes (row-major, little-endian elements).
  public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try storage.withUnsafeBytes(body)
  }

  /// Calls `body` with the elements as `Scalar`, which must be this tensor's element type.
  public func withUnsafeBufferPointer<Scalar: TensorScalar, R>(
    as _: Scalar.Type, _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) throws -> R {
    guard Scalar.elementType == elementType else {
      throw RuntimeError.invalidInput("the tensor holds \(elementType.rawValue), not \(Scalar.elementType.rawValue)")
    }
    return try storage.withUnsafeBytes { bytes in try body(bytes.bindMemory(to: Scalar.self)) }
  }

  /// Whether the storage is typed memory of this tensor's element type (or the caller's raw memory), so
  /// kernels may read it in place.
  var isReadableInPlace: Bool {
    switch storage {
    case .borrowed: true
    case .array(let array): !(array is ByteArray)
    }
  }

  static func elementCount(_ shape: [Int]) throws(RuntimeError) -> Int {
    var count = 1
    for size in shape {
      guard size >= 0 else { throw .invalidInput("shape \(ShapeText.of(shape)) has a negative size") }
      let (product, overflow) = count.multipliedReportingOverflow(by: size)
      guard !overflow else { throw .invalidInput("shape \(ShapeText.of(shape)) has too many elements") }
      count = product
    }
    return count
  }
}
