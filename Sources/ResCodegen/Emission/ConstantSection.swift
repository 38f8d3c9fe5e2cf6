import ResIR
import ResPlan

/// The constant section of a plan: payloads one after another, each starting at a multiple of 64 bytes (the
/// section itself starts at one in the file), so kernels can use every weight in place with aligned loads.
///
/// Placing a payload only reserves its range; `write(to:)` then streams every payload, packed for its kernel,
/// into the plan file, so a 100 MB model's weights are copied once on their way to disk.
///
/// Identical payloads (same bytes in the same layout, whatever their names or shapes) are stored once:
/// exporters often repeat small constants. Candidates are found by size, layout and first bytes and compared
/// byte for byte (a comparison of two different weights stops at their first differing bytes). Without the
/// first bytes in the key, every weight of a deep network of equal layers was compared with every earlier one:
/// 5,000 3x3 layers of 4 channels took 3.5 s to place.
struct ConstantSection {
  static let alignment = PlanHeader.constantAlignment

  /// Bytes of the section so far.
  private(set) var length = 0
  /// The payloads stored, in order, with their offsets.
  private var entries: [(offset: Int, payload: ConstantPayload)] = []
  /// Indices into `entries`, by size, layout and first bytes (lookups only, never iterated).
  private var stored: [Key: [Int]] = [:]
  /// How many payloads were found already stored.
  private(set) var deduplicatedCount = 0

  private struct Key: Hashable {
    var count: Int
    var layout: ConstantLayout
    /// The first `keyPrefixBytes` bytes.
    var prefix: [UInt8]
  }

  /// Bytes of a payload's beginning in its key: 16 floats, which tell trained weights apart.
  private static let keyPrefixBytes = 64

  /// The offset of `payload` in the section, reserving its range unless identical bytes are already there.
  mutating func place(_ payload: ConstantPayload) -> Int {
    let key = Key(
      count: payload.bytes.count, layout: payload.layout, prefix: payload.bytes.prefix(Self.keyPrefixBytes))
    for index in stored[key] ?? [] where Self.sameBytes(entries[index].payload.bytes, payload.bytes) {
      deduplicatedCount += 1
      return entries[index].offset
    }
    let offset = (length + Self.alignment - 1) / Self.alignment * Self.alignment
    length = offset + payload.byteCount
    stored[key, default: []].append(entries.count)
    entries.append((offset, payload))
    return offset
  }

  /// Writes every payload in its layout through `writer`, in offset order: ONNX-layout bytes straight from
  /// where they live (often the mapped model file), packed ones as a `PackingPipeline` packs them on a second
  /// thread, which also checksums the section. The section is never assembled in memory: for ResNet-50 that
  /// was 160 MB of fresh pages to fault in, fill and copy again into the file.
  ///
  /// When the destination lends the section as memory (a plan file mapped once its blocks are reserved, or
  /// an in-memory plan's buffer), every payload is instead packed straight into place (`InPlaceSectionFill`).
  func write<Sink: PlanFileSink>(to writer: inout PlanConstantWriter<Sink>) throws(Sink.Failure) {
    if let section = writer.sectionInPlace() {
      writer.filledInPlace(checksum: InPlaceSectionFill.fill(section, with: entries))
      return
    }
    let pipeline = PackingPipeline(entries, sectionLength: length)
    defer { pipeline.finish() }
    for (offset, payload) in entries {
      switch payload.layout {
      case .onnx:
        try payload.bytes.withUnsafeBytes { (bytes) throws(Sink.Failure) in
          try writer.writeChecksummedElsewhere(bytes, at: offset)
        }
      case .panels:
        try writer.writeChecksummedElsewhere(pipeline.next(), at: offset)
      }
    }
    writer.supplyChecksum(pipeline.sectionChecksum())
  }

  /// Whether two payloads hold the same bytes; a batch-norm-folded weight's are compared without computing
  /// them all (`TensorBytes.order` stops at the first block that differs).
  private static func sameBytes(_ a: TensorBytes, _ b: TensorBytes) -> Bool {
    a.count == b.count && TensorBytes.order(a, b) == 0
  }
}
