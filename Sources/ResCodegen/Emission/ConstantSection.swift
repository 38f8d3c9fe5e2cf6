#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ResIR
import ResPlan

/// The constant section of a plan: payloads one after another, each starting at a multiple of 64 bytes (the
/// section itself starts at one in the file), so kernels can use every weight in place with aligned loads.
///
/// Placing a payload only reserves its range; `write(into:)` then writes every payload, packed for its kernel,
/// straight into the plan file's bytes, so a 100 MB model's weights are copied once on their way to disk.
///
/// Identical payloads (same bytes in the same layout, whatever their names or shapes) are stored once:
/// exporters often repeat small constants. Candidates are found by size and layout and compared byte for byte
/// (a comparison of two different weights stops at their first differing bytes).
struct ConstantSection {
  static let alignment = PlanHeader.constantAlignment

  /// Bytes of the section so far.
  private(set) var length = 0
  /// The payloads stored, in order, with their offsets.
  private var entries: [(offset: Int, payload: ConstantPayload)] = []
  /// Indices into `entries`, by size and layout (lookups only, never iterated).
  private var stored: [Key: [Int]] = [:]
  /// How many payloads were found already stored.
  private(set) var deduplicatedCount = 0

  private struct Key: Hashable {
    var count: Int
    var layout: ConstantLayout
  }

  /// The offset of `payload` in the section, reserving its range unless identical bytes are already there.
  mutating func place(_ payload: ConstantPayload) -> Int {
    let key = Key(count: payload.bytes.count, layout: payload.layout)
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

  /// Writes the section into `destination` (`length` bytes): every payload in its layout, zeros between them.
  func write(into destination: UnsafeMutableRawBufferPointer) {
    guard let base = destination.baseAddress else { return }
    var end = 0
    for (offset, payload) in entries {
      (base + end).initializeMemory(as: UInt8.self, repeating: 0, count: offset - end)
      payload.layout.write(payload.bytes, into: base + offset)
      end = offset + payload.byteCount
    }
    (base + end).initializeMemory(as: UInt8.self, repeating: 0, count: destination.count - end)
  }

  private static func sameBytes(_ a: TensorBytes, _ b: TensorBytes) -> Bool {
    a.withUnsafeBytes { first in
      b.withUnsafeBytes { second in
        guard first.count == second.count else { return false }
        guard let x = first.baseAddress, let y = second.baseAddress else { return true }
        return memcmp(x, y, first.count) == 0
      }
    }
  }
}
