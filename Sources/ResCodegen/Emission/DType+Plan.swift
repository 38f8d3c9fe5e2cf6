import ResIR
import ResPlan

extension DType {
  /// The plan's spelling of the element type.
  var planDataType: Rescompile_Plan_DataType {
    switch self {
    case .float32: .f32
    case .float16: .f16
    case .float64: .f64
    case .int64: .i64
    case .int32: .i32
    case .int8: .i8
    case .uint8: .u8
    case .bool: .bool
    }
  }
}
