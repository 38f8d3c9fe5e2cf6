import ResIR
import ResPlan

/// The constant section of a plan: payloads one after another, each starting at a multiple of 64 bytes (the
/// section itself starts at one in the file), so kernels can use every weight in place with aligned loads.
///
/// Identical payloads (same bytes, whatever their names or shapes) are stored once: exporters often repeat
/// small constants, and a weight read by two kernels with the same layout is one payload anyway. Payloads
/// are found by size and content fingerprint, then compared byte for byte.
struct ConstantSection {
  static let alignment = PlanHeader.constantAlignment

  private(set) var bytes: [UInt8] = []
  /// Offsets of the payloads stored so far, by size and fingerprint (lookups only, never iterated).
  private var stored: [Key: [Int]] = [:]
  /// How many payloads were found already stored.
  private(set) var deduplicatedCount = 0

  private struct Key: Hashable {
    var count: Int
    var fingerprint: UInt64
  }

  /// The offset of `payload` in the section, appending it unless identical bytes are already there.
  mutating func place(_ payload: TensorBytes) -> Int {
    payload.withUnsafeBytes { raw in
      let key = Key(count: raw.count, fingerprint: Fingerprint.of(raw))
      for offset in stored[key] ?? [] where bytes[offset..<(offset + raw.count)].elementsEqual(raw) {
        deduplicatedCount += 1
        return offset
      }
      let offset = (bytes.count + Self.alignment - 1) / Self.alignment * Self.alignment
      bytes += [UInt8](repeating: 0, count: offset - bytes.count)
      bytes.append(contentsOf: raw)
      stored[key, default: []].append(offset)
      return offset
    }
  }
}
