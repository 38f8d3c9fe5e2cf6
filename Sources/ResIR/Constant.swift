/// A constant tensor: a weight, a bias, a shape operand.
///
/// Reference semantics on purpose: a `Graph` is a value type, and copying a graph (every pass does) must not
/// copy ResNet-50's 100 MB of weights. A pass that changes weights makes a new `Constant`; it never mutates one,
/// so a weight shared by two convolutions stays intact for the one that was not rewritten.
public final class Constant: Sendable {
  /// Element type and shape. Every dimension is known.
  public let type: TensorType
  public let dims: [Int]
  public let bytes: TensorBytes
  /// Set when the bytes were synthesized by the text parser for a constant printed as a fingerprint only: the
  /// printed fingerprint is kept so that print → parse → print is stable (see `TextFormat`).
  public let declaredFingerprint: UInt64?

  /// - Precondition: `bytes.count == product(dims) * dtype.byteWidth` (callers validate untrusted sizes first).
  public init(dtype: DType, dims: [Int], bytes: TensorBytes, declaredFingerprint: UInt64? = nil) {
    precondition(
      TensorType.checkedProduct(dims).map { $0 * dtype.byteWidth } == bytes.count,
      "constant byte count does not match its shape")
    self.type = TensorType(dtype, dims: dims)
    self.dims = dims
    self.bytes = bytes
    self.declaredFingerprint = declaredFingerprint
  }

  public var dtype: DType { type.dtype }
  public var elementCount: Int { bytes.count / dtype.byteWidth }

  /// The content hash printed in dumps.
  public var fingerprint: UInt64 {
    declaredFingerprint ?? bytes.withUnsafeBytes { Fingerprint.of($0) }
  }
}

// MARK: - Building constants from Swift values

extension Constant {
  public convenience init(floats: [Float], dims: [Int]) {
    self.init(dtype: .float32, dims: dims, bytes: TensorBytes(copyingScalars: floats))
  }

  public convenience init(int64s: [Int64], dims: [Int]) {
    self.init(dtype: .int64, dims: dims, bytes: TensorBytes(copyingScalars: int64s))
  }

  /// A constant of `dtype` holding `values` converted element by element (booleans are `value != 0`).
  public convenience init(dtype: DType, dims: [Int], doubles values: [Double]) {
    let bytes: TensorBytes
    switch dtype {
    case .float32: bytes = TensorBytes(copyingScalars: values.map { Float($0) })
    case .float16: bytes = TensorBytes(copyingScalars: values.map { Float16($0).bitPattern })
    case .float64: bytes = TensorBytes(copyingScalars: values)
    case .int64: bytes = TensorBytes(copyingScalars: values.map { Int64(clamping: Constant.truncating($0)) })
    case .int32: bytes = TensorBytes(copyingScalars: values.map { Int32(clamping: Constant.truncating($0)) })
    case .int8: bytes = TensorBytes(copyingScalars: values.map { Int8(clamping: Constant.truncating($0)) })
    case .uint8: bytes = TensorBytes(copyingScalars: values.map { UInt8(clamping: Constant.truncating($0)) })
    case .bool: bytes = TensorBytes(copyingScalars: values.map { $0 != 0 ? UInt8(1) : UInt8(0) })
    }
    self.init(dtype: dtype, dims: dims, bytes: bytes)
  }

  private static func truncating(_ x: Double) -> Int64 {
    guard x.isFinite else { return x.isNaN ? 0 : (x > 0 ? Int64.max : Int64.min) }
    if x >= 9.2e18 { return Int64.max }
    if x <= -9.2e18 { return Int64.min }
    return Int64(x.rounded(.towardZero))
  }
}

// MARK: - Reading constants

extension Constant {
  /// Every element converted to `Double` (bool → 0/1). Fine for small constants and for reference
  /// computations; kernels read `bytes` in place instead.
  public func doubles() -> [Double] {
    // One pass with the dtype decided once: folding a ResNet-50 converts ~25M weights, and a call to
    // `double(at:)` per element (a switch and a closure each, not inlined across modules) cost seconds.
    bytes.withUnsafeBytes { raw in
      switch dtype {
      case .float32: Self.converted(raw, as: Float.self) { Double($0) }
      case .float16: Self.converted(raw, as: UInt16.self) { Double(Float16(bitPattern: $0)) }
      case .float64: Self.converted(raw, as: Double.self) { $0 }
      case .int64: Self.converted(raw, as: Int64.self) { Double($0) }
      case .int32: Self.converted(raw, as: Int32.self) { Double($0) }
      case .int8: Self.converted(raw, as: Int8.self) { Double($0) }
      case .uint8: Self.converted(raw, as: UInt8.self) { Double($0) }
      case .bool: Self.converted(raw, as: UInt8.self) { $0 != 0 ? 1 : 0 }
      }
    }
  }

  /// A float16 constant's values as a float32 constant (exact: float32 holds every float16), straight from the
  /// bytes: `promote-float16` widens every weight of a float16 model, and through `doubles()` and back that
  /// took 137 ms of a float16 ResNet-50's compile.
  public func widenedFromFloat16() -> Constant {
    precondition(dtype == .float16, "widenedFromFloat16 on a \(dtype.rawValue) constant")
    let widened = bytes.withUnsafeBytes { halves in
      TensorBytes(byteCount: halves.count / 2 * 4) { floats in
        for i in 0..<halves.count / 2 {
          let bits = halves.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)
          floats.storeBytes(of: Float(Float16(bitPattern: bits)), toByteOffset: i &* 4, as: Float.self)
        }
      }
    }
    return Constant(dtype: .float32, dims: dims, bytes: widened)
  }

  /// Every whole element of `raw`, read as `T` (unaligned) and converted.
  private static func converted<T: BitwiseCopyable>(
    _ raw: UnsafeRawBufferPointer, as _: T.Type, _ convert: (T) -> Double
  ) -> [Double] {
    let width = MemoryLayout<T>.size
    let count = raw.count / width
    return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      for i in 0..<count {
        buffer[i] = convert(raw.loadUnaligned(fromByteOffset: i * width, as: T.self))
      }
      initialized = count
    }
  }

  /// Every element as an integer, for shape operands (`Reshape` shapes, axes, pads). Floats are truncated
  /// toward zero and out-of-range values clamp, so hostile constants cannot trap.
  public func integers() -> [Int] {
    (0..<elementCount).map { i in
      switch dtype {
      case .int64: Int(truncatingIfNeeded: load(i, as: Int64.self))
      case .int32: Int(load(i, as: Int32.self))
      case .int8: Int(load(i, as: Int8.self))
      case .uint8, .bool: Int(load(i, as: UInt8.self))
      case .float32, .float16, .float64: Int(clamping: Constant.truncating(double(at: i)))
      }
    }
  }

  /// Element `i` as a `Double`, without converting the whole tensor.
  ///
  /// Loads are unaligned on purpose: a weight mapped straight from a model file sits wherever protobuf put it.
  public func double(at i: Int) -> Double {
    switch dtype {
    case .float32: Double(load(i, as: Float.self))
    case .float16: Double(Float16(bitPattern: load(i, as: UInt16.self)))
    case .float64: load(i, as: Double.self)
    case .int64: Double(load(i, as: Int64.self))
    case .int32: Double(load(i, as: Int32.self))
    case .int8: Double(load(i, as: Int8.self))
    case .uint8: Double(load(i, as: UInt8.self))
    case .bool: load(i, as: UInt8.self) != 0 ? 1 : 0
    }
  }

  private func load<T: BitwiseCopyable>(_ i: Int, as type: T.Type) -> T {
    precondition(i >= 0 && i < elementCount, "constant element index out of range")
    return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
  }

  /// The value of a one-element constant (any rank), e.g. a Clip bound or a Pad value.
  public var scalar: Double? { elementCount == 1 ? double(at: 0) : nil }
}
