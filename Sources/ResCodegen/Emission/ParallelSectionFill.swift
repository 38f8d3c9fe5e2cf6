import Dispatch
import ResIR
import ResPlan
import Synchronization

/// Fills a plan's constant section on two threads and checksums it on the way: into memory the destination
/// lends (a plan compiled in memory), or through positioned writes from both threads (a plan file).
///
/// Both threads pack and copy: every payload is independent, so they take them in section order from a shared
/// counter, and whichever completes one mixes the section's completed prefix into the checksum
/// (`TrailingChecksum`). The bytes do not depend on which thread packs which payload.
///
/// Into a file, each thread packs into a buffer of its own and writes what it packed with one positioned
/// write; ONNX-layout payloads are written from where they live (often the mapped model). A packed weight of
/// more than `runBytes` is packed and written a run of whole panels at a time (`ConstantLayout.panelRuns`),
/// so the buffer stays in the cache and is never larger than a run or a Winograd weight (packed whole): with
/// one buffer as large as the largest weight, each thread faulted in and zero-filled up to VGG-16's 411 MB
/// before packing into it. Measured on the 2-core development guest, `rescompile resnet50.onnx --stats`
/// `write`, alternating the two builds: 89–97 ms packing into the file mapped shared (each page faulted in
/// and zero-filled before the first store), 75–81 ms through buffers. Transparent huge pages for the buffers
/// made single runs 160–270 ms on that guest (the host's pages taken back and handed out again), so the
/// buffers are ordinary allocations.
enum ParallelSectionFill {
  /// Fills `section` (zeros wherever no payload lies) with `entries` (offsets into it) in their layouts and
  /// returns `PlanChecksum.of` the section.
  static func fill(_ section: UnsafeMutableRawBufferPointer, with entries: [(offset: Int, payload: ConstantPayload)])
    -> UInt64
  {
    let destination = SendableSection(bytes: section)
    let checksum = forEachPayload(of: entries, in: UnsafeRawBufferPointer(section)) { offset, payload, _, _ in
      guard let base = destination.bytes.baseAddress else { return true }
      payload.layout.write(payload.bytes, into: base + offset)
      return true
    }
    return checksum.finish()
  }

  /// Writes `entries` (offsets into the section) in their layouts through `section` and returns `PlanChecksum.of`
  /// the section as written. The first failing write ends the fill and is thrown.
  static func write<Sink: PlanFileSink>(
    _ entries: [(offset: Int, payload: ConstantPayload)], through section: ConcurrentSectionWriter<Sink>
  ) throws(Sink.Failure) -> UInt64 {
    let failure = Mutex<FailureBox<Sink.Failure>?>(nil)
    let checksum = forEachPayload(of: entries, in: section.written, scratchBytes: scratchBytes(for: entries)) {
      offset, payload, scratch, progressed in
      guard failure.withLock({ $0 == nil }) else { return false }
      do throws(Sink.Failure) {
        try write(payload, at: offset, through: section, packingIn: scratch, progressed: progressed)
      } catch {
        failure.withLock { if $0 == nil { $0 = FailureBox(error: error) } }
        return false
      }
      return true
    }
    if let box = failure.withLock({ $0 }) { throw box.error }
    return checksum.finish()
  }

  /// A packed weight larger than this is packed and written a run of panels at a time: a few megabytes, well
  /// inside the shared cache, and each run's `pwrite` copies from cached memory.
  static let runBytes = 2 << 20

  /// Bytes of scratch a filling thread needs: the largest Winograd weight (packed whole), run, or packed
  /// weight of one run.
  private static func scratchBytes(for entries: [(offset: Int, payload: ConstantPayload)]) -> Int {
    entries.lazy.filter { $0.payload.layout.packing != nil }.map { entry in
      let runs = entry.payload.layout.panelRuns(ofAbout: runBytes)
      let panelBytes = (entry.payload.layout.packing?.floatsPerPanel ?? 0) * 4
      return runs.map { ($0.map(\.count).max() ?? 0) * panelBytes } ?? entry.payload.byteCount
    }.max() ?? 0
  }

  /// One payload through `section`: ONNX-layout bytes from where they are, packed ones packed into `scratch`
  /// first, a run of panels at a time when they are large; `progressed` hears how many of its bytes are
  /// written after each run.
  private static func write<Sink: PlanFileSink>(
    _ payload: ConstantPayload, at offset: Int, through section: ConcurrentSectionWriter<Sink>,
    packingIn scratch: UnsafeMutableRawBufferPointer, progressed: (Int) -> Void
  ) throws(Sink.Failure) {
    guard payload.layout.packing != nil else {
      try payload.bytes.withUnsafeBytes { bytes in
        Result { () throws(Sink.Failure) in try section.write(bytes, at: offset) }
      }.get()
      return
    }
    guard let base = scratch.baseAddress else { return }
    guard let runs = payload.layout.panelRuns(ofAbout: runBytes), let layout = payload.layout.packing else {
      payload.layout.write(payload.bytes, into: base)
      try section.write(UnsafeRawBufferPointer(rebasing: scratch[0..<payload.byteCount]), at: offset)
      return
    }
    let panelBytes = layout.floatsPerPanel * 4
    for run in runs {
      payload.layout.write(payload.bytes, panels: run, into: base)
      let bytes = UnsafeRawBufferPointer(rebasing: scratch[0..<(run.count * panelBytes)])
      try section.write(bytes, at: offset + run.lowerBound * panelBytes)
      progressed(run.upperBound * panelBytes)
    }
  }

  /// Runs `body(offset, payload, scratch, progressed)` on every payload with bytes, on one or two threads, in
  /// section order, each thread with `scratchBytes` of scratch of its own (allocated when it takes its first
  /// payload; empty when `scratchBytes` is zero), until every payload is done or `body` returns false. `body`
  /// may report the payload's bytes final so far through `progressed`. Returns the checksum of `section` (the
  /// section as `body` leaves it), mixed as payloads complete.
  private static func forEachPayload(
    of entries: [(offset: Int, payload: ConstantPayload)], in section: UnsafeRawBufferPointer, scratchBytes: Int = 0,
    _ body: @Sendable (Int, ConstantPayload, UnsafeMutableRawBufferPointer, (Int) -> Void) -> Bool
  ) -> TrailingChecksum {
    let order = entries.indices.filter { entries[$0].payload.byteCount > 0 }
      .sorted { entries[$0].offset < entries[$1].offset }
    let checksum = TrailingChecksum(
      of: section, payloads: order.map { entries[$0].offset..<(entries[$0].offset + entries[$0].payload.byteCount) })
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: workers(for: entries)) { _ in
      var scratch: UnsafeMutableRawBufferPointer?
      defer { scratch?.deallocate() }
      while true {
        let claimed = next.add(1, ordering: .relaxed).oldValue
        guard claimed < order.count else { return }
        if scratch == nil && scratchBytes > 0 {
          scratch = .allocate(byteCount: scratchBytes, alignment: TensorBytes.alignment)
        }
        let (offset, payload) = entries[order[claimed]]
        let progressed = { (bytes: Int) in checksum.payloadProgressed(claimed, finalBytes: bytes) }
        guard body(offset, payload, scratch ?? UnsafeMutableRawBufferPointer(start: nil, count: 0), progressed)
        else { return }
        checksum.payloadCompleted(claimed)
      }
    }
    return checksum
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

  /// The first failure of a write, handed from the thread that met it to the caller.
  private struct FailureBox<Failure: Error>: @unchecked Sendable {
    let error: Failure
  }
}
