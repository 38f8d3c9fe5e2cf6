import ResIR

/// Just enough of the protobuf wire format to walk a message's fields without decoding them.
///
/// swift-protobuf copies every `bytes` field it decodes, which would copy all of a model's weights. Walking the
/// encoding by hand lets the importer find where each weight sits in the mapped file and borrow it instead
/// (see `ModelLayout`). Every length is checked against the end of the buffer, so a truncated or hostile file
/// produces an error, never an out-of-bounds read.
enum WireFormat {
  /// The wire types ONNX messages use. Groups (3 and 4) are deprecated and never appear in ONNX files.
  enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
  }

  /// One field of a message: its number and type, the bytes of the whole field (key included) and of its
  /// payload (for length-delimited fields, without the length prefix).
  struct Field {
    var number: UInt64
    var wireType: WireType
    var whole: Range<Int>
    var payload: Range<Int>
  }

  /// Iterates the fields of the message stored in `bytes[range]`.
  struct FieldReader {
    private let bytes: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
      self.bytes = bytes
      self.position = range.lowerBound
      self.end = range.upperBound
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws(ModelError) -> Field? {
      guard position < end else { return nil }
      let start = position
      let key = try readVarint()
      let number = key >> 3
      guard number > 0, let wireType = WireType(rawValue: UInt8(key & 7)) else {
        throw malformed("invalid field key at byte \(start)")
      }
      let payloadStart: Int
      let payloadLength: Int
      switch wireType {
      case .varint:
        payloadStart = position
        _ = try readVarint()
        payloadLength = position - payloadStart
      case .fixed64:
        payloadStart = position
        payloadLength = 8
      case .fixed32:
        payloadStart = position
        payloadLength = 4
      case .lengthDelimited:
        let length = try readVarint()
        payloadStart = position
        guard length <= UInt64(end - position) else {
          throw malformed("field \(number) at byte \(start) runs past the end of the data (truncated file?)")
        }
        payloadLength = Int(length)
      }
      guard payloadLength <= end - payloadStart else {
        throw malformed("field \(number) at byte \(start) runs past the end of the data (truncated file?)")
      }
      position = payloadStart + payloadLength
      return Field(
        number: number, wireType: wireType, whole: start..<position, payload: payloadStart..<position)
    }

    private mutating func readVarint() throws(ModelError) -> UInt64 {
      var value: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        guard position < end else { throw malformed("varint at byte \(position) runs past the end of the data") }
        guard shift < 64 else { throw malformed("varint at byte \(position) is longer than 10 bytes") }
        let byte = bytes[position]
        position += 1
        value |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return value }
        shift += 7
      }
    }
  }

  /// Appends the key of a length-delimited field and its length.
  static func appendLengthDelimitedHeader(number: UInt64, length: Int, to output: inout [UInt8]) {
    appendVarint(number << 3 | UInt64(WireType.lengthDelimited.rawValue), to: &output)
    appendVarint(UInt64(length), to: &output)
  }

  static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
      output.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    output.append(UInt8(rest))
  }

  static func malformed(_ detail: String) -> ModelError {
    ModelError("not an ONNX model: malformed protobuf: \(detail)")
  }
}
