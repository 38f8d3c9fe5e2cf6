import ResIR
import ResRuntime

// The IR and the runtime name the same eight element types separately, because the runtime never imports the
// IR. The façade is where the two meet.

extension ElementType {
  /// The runtime's name for an IR element type.
  public init(_ dtype: DType) {
    switch dtype {
    case .float32: self = .f32
    case .float16: self = .f16
    case .float64: self = .f64
    case .int64: self = .i64
    case .int32: self = .i32
    case .int8: self = .i8
    case .uint8: self = .u8
    case .bool: self = .bool
    }
  }
}

extension DType {
  /// The IR's name for a runtime element type.
  public init(_ elementType: ElementType) {
    switch elementType {
    case .f32: self = .float32
    case .f16: self = .float16
    case .f64: self = .float64
    case .i64: self = .int64
    case .i32: self = .int32
    case .i8: self = .int8
    case .u8: self = .uint8
    case .bool: self = .bool
    }
  }
}
