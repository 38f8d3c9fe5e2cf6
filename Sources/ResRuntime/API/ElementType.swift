import ResPlan

/// The element type of a tensor or a plan buffer.
public enum ElementType: String, Sendable, Hashable, CaseIterable, Codable {
  case f32
  case f16
  case f64
  case i64
  case i32
  case i8
  case u8
  /// One byte per element, 0 or 1 (any non-zero byte reads as true).
  case bool

  /// Bytes per element.
  public var byteWidth: Int {
    switch self {
    case .f64, .i64: 8
    case .f32, .i32: 4
    case .f16: 2
    case .i8, .u8, .bool: 1
    }
  }

  public var isFloatingPoint: Bool {
    switch self {
    case .f32, .f16, .f64: true
    case .i64, .i32, .i8, .u8, .bool: false
    }
  }

  /// The element type a plan's `DataType` names; nil for unspecified or unknown values.
  init?(_ planType: Rescompile_Plan_DataType) {
    switch planType {
    case .f32: self = .f32
    case .f16: self = .f16
    case .f64: self = .f64
    case .i64: self = .i64
    case .i32: self = .i32
    case .i8: self = .i8
    case .u8: self = .u8
    case .bool: self = .bool
    case .unspecified, .UNRECOGNIZED: return nil
    }
  }
}
