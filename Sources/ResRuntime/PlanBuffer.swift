import ResPlan

/// A plan buffer after validation: its element type is known, its shape is concrete and non-negative, its
/// byte size did not overflow, and its byte range lies inside the arena or the constant section (and, for a
/// constant, starts on a 64-byte boundary).
struct PlanBuffer: Sendable, Hashable {
  enum Storage: Sendable, Hashable {
    /// Byte offset in the activation arena (a multiple of the element width).
    case arena(offset: Int)
    /// Byte offset in the constant section (a multiple of 64).
    case constant(offset: Int)
  }

  let index: Int
  let name: String
  let elementType: ElementType
  let shape: [Int]
  /// Number of elements: the product of `shape`.
  let count: Int
  let byteCount: Int
  let storage: Storage
  /// Set on a constant whose bytes are packed into a microkernel's panels (plan.proto `PanelPacking`),
  /// already checked to describe `count` floats; its bytes then span `packing.floatCount · 4` bytes.
  var packing: PanelLayout? = nil
  /// How the elements are ordered (plan.proto `ActivationLayout`): only f32 arena buffers of rank 3–5 are
  /// ever channels-last, and only operators that say so (`Operator.readsChannelsLast`) may be given one.
  var layout: BufferLayout = .rowMajor

  var rank: Int { shape.count }
  var isConstant: Bool {
    if case .constant = storage { return true }
    return false
  }

  /// The bytes this buffer covers in the arena, or nil for a constant.
  var arenaRange: Range<Int>? {
    guard case .arena(let offset) = storage else { return nil }
    return offset..<(offset + byteCount)
  }

  /// Bytes the buffer covers in its storage: the packed size for a packed constant.
  var storageByteCount: Int {
    guard let packing else { return byteCount }
    return packing.floatCount * 4
  }

  var isChannelsLast: Bool { layout == .channelsLast }

  /// `buffer 3 'conv1.weight' f32[64,3,7,7]` (with ` channels-last` when it is), for messages.
  var label: String {
    let suffix = isChannelsLast ? " channels-last" : ""
    return "buffer \(index) \(MessageText.quoted(name)) \(elementType.rawValue)\(ShapeText.of(shape))\(suffix)"
  }
}

/// The byte order of a plan buffer's elements (plan.proto `ActivationLayout`).
enum BufferLayout: Sendable, Hashable {
  /// `shape` row-major, as ONNX stores it.
  case rowMajor
  /// Logical `[N, C, spatial...]` stored as row-major `[N, spatial..., C]`: a position's channels adjacent.
  case channelsLast
}

/// `[1,3,224,224]`: how shapes appear in messages.
enum ShapeText {
  static func of(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ",") + "]"
  }
}
