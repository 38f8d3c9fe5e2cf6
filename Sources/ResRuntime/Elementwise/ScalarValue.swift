import ResKernels

/// One element of any type, widened without loss: integers and bools to `Int64`, floats to `Double`.
/// Cast, Fill and the constant of Pad convert through it, so the conversion rules live in one place.
enum ScalarValue: Sendable, Hashable {
  case integer(Int64)
  case real(Double)

  /// Reads element `index` of a buffer of `type`.
  static func read(_ type: ElementType, _ base: UnsafeRawPointer, _ index: Int) -> ScalarValue {
    switch type {
    case .f32: .real(Double(base.load(fromByteOffset: index * 4, as: Float.self)))
    case .f64: .real(base.load(fromByteOffset: index * 8, as: Double.self))
    case .f16: .real(Double(HalfPrecision.float(fromBits: base.load(fromByteOffset: index * 2, as: UInt16.self))))
    case .i64: .integer(base.load(fromByteOffset: index * 8, as: Int64.self))
    case .i32: .integer(Int64(base.load(fromByteOffset: index * 4, as: Int32.self)))
    case .i8: .integer(Int64(base.load(fromByteOffset: index, as: Int8.self)))
    case .u8: .integer(Int64(base.load(fromByteOffset: index, as: UInt8.self)))
    case .bool: .integer(base.load(fromByteOffset: index, as: UInt8.self) == 0 ? 0 : 1)
    }
  }

  /// Writes this value as element `index` of a buffer of `type`, with ONNX Cast's conversions: float to
  /// integer truncates toward zero (NaN becomes 0, values beyond Int64 saturate) and then keeps the low bits
  /// like a C cast; integer to narrower integer keeps the low bits; anything to bool is "not zero" (NaN is
  /// true); f64 to f16 rounds through f32.
  func write(_ type: ElementType, _ base: UnsafeMutableRawPointer, _ index: Int) {
    switch type {
    case .f32: base.storeBytes(of: asFloat, toByteOffset: index * 4, as: Float.self)
    case .f64: base.storeBytes(of: asDouble, toByteOffset: index * 8, as: Double.self)
    case .f16: base.storeBytes(of: HalfPrecision.bits(from: asFloat), toByteOffset: index * 2, as: UInt16.self)
    case .i64: base.storeBytes(of: asInteger, toByteOffset: index * 8, as: Int64.self)
    case .i32: base.storeBytes(of: Int32(truncatingIfNeeded: asInteger), toByteOffset: index * 4, as: Int32.self)
    case .i8: base.storeBytes(of: Int8(truncatingIfNeeded: asInteger), toByteOffset: index, as: Int8.self)
    case .u8: base.storeBytes(of: UInt8(truncatingIfNeeded: asInteger), toByteOffset: index, as: UInt8.self)
    case .bool: base.storeBytes(of: isNonZero ? 1 : 0, toByteOffset: index, as: UInt8.self)
    }
  }

  var asDouble: Double {
    switch self {
    case .integer(let value): Double(value)
    case .real(let value): value
    }
  }

  var asFloat: Float {
    switch self {
    case .integer(let value): Float(value)
    case .real(let value): Float(value)
    }
  }

  var asInteger: Int64 {
    switch self {
    case .integer(let value): return value
    case .real(let value):
      if value.isNaN { return 0 }
      if value >= 9.223_372_036_854_775_807e18 { return .max }
      if value <= -9.223_372_036_854_775_808e18 { return .min }
      return Int64(value.rounded(.towardZero))
    }
  }

  var isNonZero: Bool {
    switch self {
    case .integer(let value): value != 0
    case .real(let value): value != 0 || value.isNaN
    }
  }
}
