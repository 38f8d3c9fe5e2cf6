/// A Swift type whose values a `Tensor` can hold directly, with no conversion: its memory layout is exactly
/// the plan's element encoding.
public protocol TensorScalar: Sendable, BitwiseCopyable {
  static var elementType: ElementType { get }
}

extension Float: TensorScalar { public static var elementType: ElementType { .f32 } }
extension Double: TensorScalar { public static var elementType: ElementType { .f64 } }
extension Int64: TensorScalar { public static var elementType: ElementType { .i64 } }
extension Int32: TensorScalar { public static var elementType: ElementType { .i32 } }
extension Int8: TensorScalar { public static var elementType: ElementType { .i8 } }
extension UInt8: TensorScalar { public static var elementType: ElementType { .u8 } }
/// Swift's `Bool` is one byte holding 0 or 1: the plan's bool encoding.
extension Bool: TensorScalar { public static var elementType: ElementType { .bool } }

#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
  @available(macOS 11.0, iOS 14.0, tvOS 14.0, watchOS 7.0, *)
  extension Float16: TensorScalar { public static var elementType: ElementType { .f16 } }
#endif
