/// One field of a protobuf message found by `ProtobufFields.scan`, with its place in the byte buffer.
///
/// The fuzz test mutates models field by field (swap two nodes, delete an attribute, change a dimension) so
/// that mutants still decode and reach the importer's semantic checks; for that it needs to know where every
/// field and its length prefix lie, and which message contains it.
struct ProtobufField {
  var number: UInt64
  /// 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
  var wireType: UInt64
  /// Where the field's key starts.
  var start: Int
  /// The length prefix of a length-delimited field.
  var lengthRange: Range<Int>?
  /// The value: a varint's bytes, a fixed value's bytes, or a length-delimited field's payload.
  var valueRange: Range<Int>
  /// The length-delimited field whose payload contains this one (an index into the scan); nil at top level.
  var parent: Int?
  /// How many messages enclose this field (0 at top level).
  var depth: Int

  /// The whole field: key, length prefix and value.
  var whole: Range<Int> { start..<valueRange.upperBound }
}

/// A protobuf wire-format scanner independent of the importer's own, so that the fuzz test does not share
/// the code it tests.
///
/// Every length-delimited payload is tried as a nested message: it counts as one only if it parses to the
/// end, so strings and raw tensor data are (almost always) left alone. The walk uses a work list, never
/// recursion.
enum ProtobufFields {
  /// Every field of the message in `bytes` and of the messages nested in it, up to `limit` fields.
  static func scan(_ bytes: [UInt8], limit: Int = 100_000) -> [ProtobufField] {
    var fields: [ProtobufField] = []
    var pending: [(range: Range<Int>, parent: Int?, depth: Int)] = [(bytes.indices, nil, 0)]
    while let message = pending.popLast(), fields.count < limit {
      guard let found = fieldsOfMessage(bytes, message.range, parent: message.parent, depth: message.depth) else {
        continue
      }
      for field in found where fields.count < limit {
        if field.lengthRange != nil, !field.valueRange.isEmpty {
          pending.append((field.valueRange, fields.count, message.depth + 1))
        }
        fields.append(field)
      }
    }
    return fields
  }

  /// The fields of the message in `bytes[range]`, or nil when the range is not exactly a sequence of fields.
  private static func fieldsOfMessage(
    _ bytes: [UInt8], _ range: Range<Int>, parent: Int?, depth: Int
  ) -> [ProtobufField]? {
    var fields: [ProtobufField] = []
    var position = range.lowerBound
    while position < range.upperBound {
      guard let key = varint(in: bytes, at: position, end: range.upperBound), key.value >> 3 > 0 else { return nil }
      var field = ProtobufField(
        number: key.value >> 3, wireType: key.value & 7, start: position, lengthRange: nil,
        valueRange: key.end..<key.end, parent: parent, depth: depth)
      switch field.wireType {
      case 0:
        guard let value = varint(in: bytes, at: key.end, end: range.upperBound) else { return nil }
        field.valueRange = key.end..<value.end
      case 1, 5:
        let size = field.wireType == 1 ? 8 : 4
        guard range.upperBound - key.end >= size else { return nil }
        field.valueRange = key.end..<(key.end + size)
      case 2:
        guard let length = varint(in: bytes, at: key.end, end: range.upperBound),
          length.value <= UInt64(range.upperBound - length.end)
        else { return nil }
        field.lengthRange = key.end..<length.end
        field.valueRange = length.end..<(length.end + Int(length.value))
      default:
        return nil
      }
      fields.append(field)
      position = field.valueRange.upperBound
    }
    return fields
  }

  /// The varint at `position`, and where it ends; nil when it runs past `end` or beyond ten bytes.
  static func varint(in bytes: [UInt8], at position: Int, end: Int) -> (value: UInt64, end: Int)? {
    var value: UInt64 = 0
    var index = position
    for shift in stride(from: 0, to: 70, by: 7) {
      guard index < end else { return nil }
      let byte = bytes[index]
      value |= UInt64(byte & 0x7F) << UInt64(shift)
      index += 1
      if byte & 0x80 == 0 { return (value, index) }
    }
    return nil
  }

  /// The shortest varint encoding of `value`.
  static func encodeVarint(_ value: UInt64) -> [UInt8] {
    var remaining = value
    var encoded: [UInt8] = []
    while remaining >= 0x80 {
      encoded.append(UInt8(remaining & 0x7F) | 0x80)
      remaining >>= 7
    }
    encoded.append(UInt8(remaining))
    return encoded
  }
}
