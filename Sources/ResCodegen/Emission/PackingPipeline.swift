import Dispatch
import ResIR
import ResPlan

/// Packs the constant section's packed payloads and checksums the whole section on a second thread, while the
/// caller copies the payloads into the plan file: for ResNet-50 the copy (the kernel's, 160 MB into the page
/// cache) is about as long as the Winograd transform, panel packing and hashing together, so on two cores the
/// section takes about half as long as on one. Only for destinations that do not lend their bytes (a file whose
/// blocks could not be reserved, systems without `posix_fallocate`); the others are filled in place
/// (`InPlaceSectionFill`), with no buffer and no second copy.
///
/// Payloads are packed in section order into two alternating buffers, each as large as the largest packed
/// payload; the caller takes them in the same order. The bytes do not depend on the threads' timing: each
/// payload is packed by one pure function into a buffer no one writes until the caller has written it out,
/// and the checksum reads the section's bytes in order on one thread.
final class PackingPipeline: @unchecked Sendable {
  private let entries: [(offset: Int, payload: ConstantPayload)]
  private let sectionLength: Int
  /// The byte counts of the packed payloads, in order.
  private let packedCounts: [Int]
  private let slots: [PageBackedMemory]
  /// Signalled when a slot holds the next packed payload for the caller.
  private let filled = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
  /// Signalled when the caller is done with a slot. Created at zero and signalled once at the start, because
  /// Dispatch traps when a semaphore is released below its initial value (as a cancelled pipeline leaves it).
  private let emptied = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
  private let finished = DispatchSemaphore(value: 0)
  private let cancellation = DispatchSemaphore(value: 1)
  private var cancelled = false
  /// How many packed payloads the caller has taken.
  private var taken = 0
  /// The section's checksum, written by the packing thread before it signals `finished` (nil if cancelled).
  private var checksum: UInt64?

  /// Starts packing and checksumming the section of `sectionLength` bytes that holds `entries` (in offset
  /// order).
  init(_ entries: [(offset: Int, payload: ConstantPayload)], sectionLength: Int) {
    self.entries = entries
    self.sectionLength = sectionLength
    packedCounts = entries.compactMap { $0.payload.layout.packing == nil ? nil : $0.payload.byteCount }
    let largest = packedCounts.max() ?? 0
    slots = [PageBackedMemory(byteCount: largest), PageBackedMemory(byteCount: largest)]
    for slot in emptied { slot.signal() }
    DispatchQueue.global().async { self.packAll() }
  }

  /// The next packed payload's bytes, valid until the following call or `finish()`.
  func next() -> UnsafeRawBufferPointer {
    precondition(taken < packedCounts.count, "more payloads taken than packed")
    let slot = taken % 2
    if taken >= 1 { emptied[(taken - 1) % 2].signal() }
    filled[slot].wait()
    let count = packedCounts[taken]
    taken += 1
    return UnsafeRawBufferPointer(rebasing: slots[slot].memory[0..<count])
  }

  /// `PlanChecksum.of` the whole section (zeros between and after the payloads included), once the packing
  /// thread has read every payload.
  func sectionChecksum() -> UInt64 {
    finished.wait()
    finished.signal()
    guard let checksum else { preconditionFailure("the checksum of a cancelled pipeline was asked for") }
    return checksum
  }

  /// Stops packing (if payloads are left, after an error) and waits for the packing thread to end: the
  /// slots must outlive it.
  func finish() {
    cancellation.wait()
    cancelled = true
    cancellation.signal()
    for slot in emptied { slot.signal() }
    finished.wait()
    finished.signal()
  }

  /// Every entry in order: packed ones into the next slot, handed to the caller, then hashed while the
  /// caller writes them; ONNX-layout ones hashed where they are (the caller writes them from there).
  private func packAll() {
    defer { finished.signal() }
    var accumulator = PlanChecksum.Accumulator(length: sectionLength)
    var position = 0
    var packed = 0
    for (offset, payload) in entries {
      accumulator.addZeros(offset - position)
      position = offset + payload.byteCount
      guard payload.layout.packing != nil else {
        payload.bytes.withUnsafeBytes { accumulator.add($0) }
        continue
      }
      let slot = packed % 2
      packed += 1
      emptied[slot].wait()
      guard !isCancelled, let base = slots[slot].memory.baseAddress else { return }
      payload.layout.write(payload.bytes, into: base)
      filled[slot].signal()
      accumulator.add(UnsafeRawBufferPointer(rebasing: slots[slot].memory[0..<payload.byteCount]))
    }
    accumulator.addZeros(sectionLength - position)
    checksum = accumulator.finish()
  }

  private var isCancelled: Bool {
    cancellation.wait()
    defer { cancellation.signal() }
    return cancelled
  }
}
