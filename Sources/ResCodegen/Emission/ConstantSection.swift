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

  /// Writes every payload in its layout through `writer` and the section's checksum, the fastest way the
  /// destination allows (`ParallelSectionFill`, two threads, checksummed as they go):
  /// - an in-memory plan lends its buffer, and every payload is packed straight into place;
  /// - a plan file takes positioned writes from both threads, each packing into a buffer of its own, and the
  ///   section is checksummed from the file behind them;
  /// - any other sink gets the payloads in offset order from this thread (`writeInOrder`).
  /// The section is never assembled in memory apart from its destination: for ResNet-50 that was 160 MB of
  /// fresh pages to fault in, fill and copy again into the file.
  func write<Sink: PlanFileSink>(to writer: inout PlanConstantWriter<Sink>) throws(Sink.Failure) {
    if let section = writer.sectionInPlace() {
      writer.sectionFilled(checksum: ParallelSectionFill.fill(section, with: entries))
      return
    }
    if let section = writer.concurrentSection() {
      writer.sectionFilled(checksum: try ParallelSectionFill.write(entries, through: section))
      return
    }
    try writeInOrder(to: &writer)
  }

  /// Every payload in offset order on this thread, checksummed on the way: ONNX-layout bytes from where they
  /// live, packed ones through one buffer as large as the largest.
  private func writeInOrder<Sink: PlanFileSink>(to writer: inout PlanConstantWriter<Sink>) throws(Sink.Failure) {
    let largestPacked = entries.lazy.filter { $0.payload.layout.packing != nil }.map(\.payload.byteCount).max() ?? 0
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(largestPacked, 1), alignment: Self.alignment)
    defer { scratch.deallocate() }
    for (offset, payload) in entries {
      guard payload.layout.packing != nil, let base = scratch.baseAddress else {
        try payload.bytes.withUnsafeBytes { (bytes) throws(Sink.Failure) in try writer.write(bytes, at: offset) }
        continue
      }
      payload.layout.write(payload.bytes, into: base)
      try writer.write(UnsafeRawBufferPointer(rebasing: scratch[0..<payload.byteCount]), at: offset)
    }
  }

  /// Whether two payloads hold the same bytes; a batch-norm-folded weight's are compared without computing
  /// them all (`TensorBytes.order` stops at the first block that differs).
  private static func sameBytes(_ a: TensorBytes, _ b: TensorBytes) -> Bool {
    a.count == b.count && TensorBytes.order(a, b) == 0
  }
}
