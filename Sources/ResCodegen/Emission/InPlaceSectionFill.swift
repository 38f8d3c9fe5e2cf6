import Dispatch
import ResIR
import ResPlan
import Synchronization

/// Fills a constant section that the destination lends as memory (a mapped plan file, or the buffer of a plan
/// compiled in memory): every payload is packed or copied straight to its place, on two threads, and the
/// section is checksummed once they are done.
///
/// Against `PackingPipeline` (pack into a buffer, then `pwrite` it), each byte is written once, and the only
/// fresh pages touched are the destination's. On the 2-core development guest, whose host takes back the pages
/// the guest frees, the first touch of a page costs microseconds, and ResNet-50's plan (159 MB) touched 34 MB
/// of packing buffers besides its page cache. `rescompile resnet50.onnx --stats`, `write`, alternating the
/// two builds: a new plan file each time 290–400 → 92–125 ms; the previous plan deleted 3 s before 88–216 →
/// 109–130; just deleted 104–405 → 90–101 (whole process 0.13–0.18 s against 0.14–0.46). Of the ~90 ms, the
/// fill is ~75 (both threads packing and faulting pages in) and the checksum ~8.
///
/// Both threads pack and copy: every payload is independent, so they take them largest first from a shared
/// counter (the last ones, the smallest, even out the finish). The bytes do not depend on which thread packs
/// which payload.
enum InPlaceSectionFill {
  /// Fills `section` (zeros wherever no payload lies) with `entries` (offsets into it) in their layouts and
  /// returns `PlanChecksum.of` the section.
  static func fill(_ section: UnsafeMutableRawBufferPointer, with entries: [(offset: Int, payload: ConstantPayload)])
    -> UInt64
  {
    let order = entries.indices.sorted { entries[$0].payload.byteCount > entries[$1].payload.byteCount }
    let next = Atomic<Int>(0)
    let destination = SendableSection(bytes: section)
    DispatchQueue.concurrentPerform(iterations: workers(for: entries)) { _ in
      while true {
        let claimed = next.add(1, ordering: .relaxed).oldValue
        guard claimed < order.count else { return }
        let (offset, payload) = entries[order[claimed]]
        guard payload.byteCount > 0, let base = destination.bytes.baseAddress else { continue }
        payload.layout.write(payload.bytes, into: base + offset)
      }
    }
    return PlanChecksum.of(UnsafeRawBufferPointer(section))
  }

  /// Two threads when the section holds at least two payloads and `parallelBytes` in all; one otherwise (a
  /// small model's section is filled before a second thread would start).
  private static func workers(for entries: [(offset: Int, payload: ConstantPayload)]) -> Int {
    let bytes = entries.reduce(0) { $0 + $1.payload.byteCount }
    return entries.count >= 2 && bytes >= parallelBytes ? 2 : 1
  }

  /// Sections from this many bytes are filled on two threads.
  private static let parallelBytes = 1 << 20

  /// The section's memory, shared by the filling threads: each writes only its payloads' disjoint ranges.
  private struct SendableSection: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
  }
}
