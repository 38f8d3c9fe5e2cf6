import ResIR

/// A model the fuzz test mutates: its bytes, the folder its external data lives in, and its fields.
struct FuzzSeedModel {
  var name: String
  var folder: String
  var bytes: [UInt8]
  var fields: [ProtobufField]
  /// For each parent (nil: top level), its fields' indices in order, for picking siblings.
  var children: [Int?: [Int]]

  init(name: String, folder: String, bytes: [UInt8]) {
    self.name = name
    self.folder = folder
    self.bytes = bytes
    fields = ProtobufFields.scan(bytes)
    var children: [Int?: [Int]] = [:]
    for (index, field) in fields.enumerated() { children[field.parent, default: []].append(index) }
    self.children = children
  }
}

/// Seeded mutations of ONNX model bytes, from blind byte damage to protobuf-aware edits that keep the file
/// decodable so the mutant reaches the importer's semantic checks and shape inference.
///
/// Field-level edits that change a field's size re-encode the length prefix of every enclosing message, so
/// the protobuf still frames correctly (`replacing`).
struct ModelMutator {
  enum Kind: String, CaseIterable {
    case bitFlips = "bit flips"
    case byteOverwrite = "byte overwrite"
    case truncation
    case rangeDeletion = "range deletion"
    case rangeDuplication = "range duplication"
    case splice = "splice from another model"
    case lengthChange = "length prefix change"
    case fieldSwap = "field swap"
    case fieldDeletion = "field deletion"
    case fieldDuplication = "field duplication"
    case fieldTransplant = "field from another model"
    case valueChange = "scalar value change"
  }

  /// The models mutated and spliced from.
  let models: [FuzzSeedModel]

  /// A mutant of `models[index]`, and which mutation made it.
  func mutant(of index: Int, _ random: inout SplitMix64) -> (kind: Kind, bytes: [UInt8]) {
    let model = models[index]
    let kind = Kind.allCases[Int(random.next() % UInt64(Kind.allCases.count))]
    return (kind, mutate(model, kind, &random) ?? blindDamage(model, &random))
  }

  /// The mutation `kind`; nil when the model offers nothing it applies to (no sibling to swap with, say).
  private func mutate(_ model: FuzzSeedModel, _ kind: Kind, _ random: inout SplitMix64) -> [UInt8]? {
    var bytes = model.bytes
    switch kind {
    case .bitFlips:
      for _ in 0..<(1 + random.next() % 8) {
        let position = Self.position(in: model, &random)
        bytes[position] ^= 1 << UInt8(random.next() % 8)
      }
    case .byteOverwrite:
      let position = Self.position(in: model, &random)
      let count = min(1 + Int(random.next() % 4), bytes.count - position)
      for offset in 0..<count { bytes[position + offset] = UInt8(truncatingIfNeeded: random.next()) }
    case .truncation:
      bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
    case .rangeDeletion:
      let range = Self.range(in: model, &random)
      bytes.removeSubrange(range)
    case .rangeDuplication:
      let range = Self.range(in: model, &random)
      bytes.insert(contentsOf: bytes[range], at: range.upperBound)
    case .splice:
      let donor = models[Int(random.next() % UInt64(models.count))]
      let piece = Self.range(in: donor, &random)
      bytes.insert(contentsOf: donor.bytes[piece], at: Self.position(in: model, &random))
    case .lengthChange:
      return changedLength(model, &random)
    case .fieldSwap:
      return swappedFields(model, &random)
    case .fieldDeletion:
      guard let field = Self.field(of: model, &random) else { return nil }
      return Self.replacing(field.whole, with: [], in: model, container: field.parent)
    case .fieldDuplication:
      guard let field = Self.field(of: model, &random) else { return nil }
      let end = field.whole.upperBound
      return Self.replacing(end..<end, with: Array(bytes[field.whole]), in: model, container: field.parent)
    case .fieldTransplant:
      return transplantedField(model, &random)
    case .valueChange:
      return changedValue(model, &random)
    }
    return bytes
  }

  /// A few random bytes overwritten: the fallback when a field-level mutation finds nothing to edit.
  private func blindDamage(_ model: FuzzSeedModel, _ random: inout SplitMix64) -> [UInt8] {
    var bytes = model.bytes
    bytes[Self.position(in: model, &random)] = UInt8(truncatingIfNeeded: random.next())
    return bytes
  }

  // MARK: - Field-level mutations

  /// A length prefix set to a nearby or arbitrary value, without repairing anything: the decoder must
  /// notice.
  private func changedLength(_ model: FuzzSeedModel, _ random: inout SplitMix64) -> [UInt8]? {
    let lengthDelimited = model.fields.indices.filter { model.fields[$0].lengthRange != nil }
    guard !lengthDelimited.isEmpty else { return nil }
    let field = model.fields[lengthDelimited[Int(random.next() % UInt64(lengthDelimited.count))]]
    guard let lengthRange = field.lengthRange else { return nil }
    let length = UInt64(field.valueRange.count)
    let newLength: UInt64
    switch random.next() % 3 {
    case 0: newLength = length &+ 1 &+ random.next() % 8
    case 1: newLength = length &- 1 &- random.next() % min(8, max(length, 1))
    default: newLength = random.next() >> (random.next() % 64)
    }
    var bytes = model.bytes
    bytes.replaceSubrange(lengthRange, with: ProtobufFields.encodeVarint(newLength))
    return bytes
  }

  /// Two fields of the same message exchanged (two nodes, two dimensions, two attributes): the message
  /// keeps its size, so only the meaning changes.
  private func swappedFields(_ model: FuzzSeedModel, _ random: inout SplitMix64) -> [UInt8]? {
    guard let first = Self.field(of: model, &random), let siblings = model.children[first.parent],
      siblings.count >= 2
    else { return nil }
    let second = model.fields[siblings[Int(random.next() % UInt64(siblings.count))]]
    let (a, b) = first.start < second.start ? (first, second) : (second, first)
    guard a.whole.upperBound <= b.start else { return nil }
    let bytes = model.bytes
    var swapped = Array(bytes[..<a.start])
    swapped += bytes[b.whole]
    swapped += bytes[a.whole.upperBound..<b.start]
    swapped += bytes[a.whole]
    swapped += bytes[b.whole.upperBound...]
    return swapped
  }

  /// A field of another model with the same number at the same depth (most likely the same kind of
  /// message: a node, an attribute, a dimension) put in place of, or next to, a field of this one.
  private func transplantedField(_ model: FuzzSeedModel, _ random: inout SplitMix64) -> [UInt8]? {
    guard let target = Self.field(of: model, &random) else { return nil }
    let donor = models[Int(random.next() % UInt64(models.count))]
    let matching = donor.fields.filter { $0.number == target.number && $0.depth == target.depth }
    guard !matching.isEmpty else { return nil }
    let transplant = matching[Int(random.next() % UInt64(matching.count))]
    let piece = Array(donor.bytes[transplant.whole])
    let replaced = random.next() % 2 == 0 ? target.whole : target.whole.upperBound..<target.whole.upperBound
    return Self.replacing(replaced, with: piece, in: model, container: target.parent)
  }

  /// A varint or fixed-size value (a dimension, an attribute, an element type, a float) set to a value near
  /// the old one or to a boundary value.
  private func changedValue(_ model: FuzzSeedModel, _ random: inout SplitMix64) -> [UInt8]? {
    let scalars = model.fields.indices.filter { model.fields[$0].lengthRange == nil }
    guard !scalars.isEmpty else { return nil }
    let field = model.fields[scalars[Int(random.next() % UInt64(scalars.count))]]
    let replacement: [UInt8]
    switch field.wireType {
    case 0:
      let old = ProtobufFields.varint(in: model.bytes, at: field.valueRange.lowerBound, end: model.bytes.count)?.value
      replacement = ProtobufFields.encodeVarint(Self.interestingInteger(near: old ?? 0, &random))
    case 5:
      let patterns: [UInt32] = [0, 0x8000_0000, 0x7FC0_0000, 0x7F80_0000, 0xFF80_0000, 0xBF80_0000, 0x7F7F_FFFF]
      replacement = Self.littleEndian(UInt64(patterns[Int(random.next() % UInt64(patterns.count))]), bytes: 4)
    default:
      replacement = Self.littleEndian(random.next(), bytes: 8)
    }
    return Self.replacing(field.valueRange, with: replacement, in: model, container: field.parent)
  }

  // MARK: - Helpers

  /// `bytes` with `range` replaced, and the length prefix of `container` and of every message around it
  /// re-encoded for the new size. Each prefix lies before the edit and before the prefixes already
  /// re-encoded (inner messages start later), so every position still refers to the original bytes.
  static func replacing(
    _ range: Range<Int>, with replacement: [UInt8], in model: FuzzSeedModel, container: Int?
  ) -> [UInt8] {
    var bytes = model.bytes
    bytes.replaceSubrange(range, with: replacement)
    var growth = replacement.count - range.count
    var enclosing = container
    while let index = enclosing, let lengthRange = model.fields[index].lengthRange {
      let prefix = ProtobufFields.encodeVarint(UInt64(model.fields[index].valueRange.count + growth))
      bytes.replaceSubrange(lengthRange, with: prefix)
      growth += prefix.count - lengthRange.count
      enclosing = model.fields[index].parent
    }
    return bytes
  }

  /// A random field of the model.
  private static func field(of model: FuzzSeedModel, _ random: inout SplitMix64) -> ProtobufField? {
    model.fields.isEmpty ? nil : model.fields[Int(random.next() % UInt64(model.fields.count))]
  }

  /// A byte position: anywhere half the time, otherwise inside a random field, which concentrates damage on
  /// the many small fields (names, dimensions, attributes) instead of the bulk of the weights.
  private static func position(in model: FuzzSeedModel, _ random: inout SplitMix64) -> Int {
    if random.next() % 2 == 0, let field = field(of: model, &random) {
      return field.start + Int(random.next() % UInt64(field.whole.count))
    }
    return Int(random.next() % UInt64(model.bytes.count))
  }

  /// A short range of bytes (up to 64, or up to a whole field) starting at a random position.
  private static func range(in model: FuzzSeedModel, _ random: inout SplitMix64) -> Range<Int> {
    if random.next() % 2 == 0, let field = field(of: model, &random) { return field.whole }
    let start = position(in: model, &random)
    return start..<min(model.bytes.count, start + 1 + Int(random.next() % 64))
  }

  /// A value near `old` (off by a little, doubled, negated in two's complement) or a boundary value.
  private static func interestingInteger(near old: UInt64, _ random: inout SplitMix64) -> UInt64 {
    let boundaries: [UInt64] = [
      0, 1, 2, 0x7F, 0x80, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 40, UInt64(Int64.max),
      UInt64(bitPattern: -1), UInt64(bitPattern: -2), UInt64(bitPattern: Int64.min),
    ]
    switch random.next() % 4 {
    case 0: return old &+ 1 &+ random.next() % 4
    case 1: return old &- 1 &- random.next() % 4
    case 2: return old &* 2
    default: return boundaries[Int(random.next() % UInt64(boundaries.count))]
    }
  }

  private static func littleEndian(_ value: UInt64, bytes count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
  }
}
