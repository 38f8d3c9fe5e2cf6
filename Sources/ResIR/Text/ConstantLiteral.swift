/// The element-by-element form of small constants: `const @shape: i64[2] = [1,-1]`.
///
/// Shape operands, axes and Clip bounds are small, and a reader of a dump (or of a golden pass test) needs
/// their exact values, not a hash. Floats use Swift's shortest round-trip spelling, so parsing gives back the
/// same bits (every NaN reads back as the canonical NaN). Integer elements of `u8` and `bool` constants print
/// their raw byte, so even a malformed boolean survives a round trip.
enum ConstantLiteral {
  /// Constants with at most this many elements print their values.
  static let maximumInlineElements = 16

  /// Each element's spelling, or `nil` when the constant is too large to print inline.
  static func elements(of constant: Constant) -> [String]? {
    guard constant.elementCount <= maximumInlineElements else { return nil }
    switch constant.dtype {
    case .float32: return loadAll(constant, as: Float.self).map(TextSpelling.float)
    case .float16: return loadAll(constant, as: UInt16.self).map { TextSpelling.float16(Float16(bitPattern: $0)) }
    case .float64: return loadAll(constant, as: Double.self).map(TextSpelling.double)
    case .int64, .int32, .int8, .uint8, .bool: return constant.integers().map(String.init)
    }
  }

  /// `[1,-1]`, or `nil` when the constant is too large to print inline.
  static func text(of constant: Constant) -> String? {
    elements(of: constant).map { "[" + $0.joined(separator: ",") + "]" }
  }

  private static func loadAll<T: BitwiseCopyable>(_ constant: Constant, as: T.Type) -> [T] {
    constant.bytes.withUnsafeBytes { raw in
      (0..<constant.elementCount).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
    }
  }

  /// Packs parsed element texts into `dtype`'s storage; a value the type cannot hold is an error at its
  /// position.
  static func bytes(_ dtype: DType, elements: [(text: String, position: SourcePosition)]) throws(TextParseError)
    -> TensorBytes
  {
    switch dtype {
    case .float32: TensorBytes(copyingScalars: try convert(elements, dtype) { Float($0) })
    case .float16: TensorBytes(copyingScalars: try convert(elements, dtype) { Float16($0)?.bitPattern })
    case .float64: TensorBytes(copyingScalars: try convert(elements, dtype) { Double($0) })
    case .int64: TensorBytes(copyingScalars: try convert(elements, dtype) { Int64($0) })
    case .int32: TensorBytes(copyingScalars: try convert(elements, dtype) { Int32($0) })
    case .int8: TensorBytes(copyingScalars: try convert(elements, dtype) { Int8($0) })
    case .uint8, .bool: TensorBytes(copyingScalars: try convert(elements, dtype) { UInt8($0) })
    }
  }

  private static func convert<T>(
    _ elements: [(text: String, position: SourcePosition)], _ dtype: DType, _ parse: (String) -> T?
  ) throws(TextParseError) -> [T] {
    var values: [T] = []
    values.reserveCapacity(elements.count)
    for element in elements {
      guard let value = parse(element.text) else {
        throw TextParseError(at: element.position, "'\(element.text)' is not a valid \(dtype.rawValue) value")
      }
      values.append(value)
    }
    return values
  }
}
