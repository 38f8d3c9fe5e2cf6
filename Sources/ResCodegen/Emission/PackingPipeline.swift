import Dispatch
import ResIR

/// Packs the constant section's packed payloads on a second thread while the caller checksums and writes the
/// ones already packed: two stages of about equal cost for ResNet-50 (the Winograd transform and panel
/// packing; the checksum and the copy into the file), so on two cores the section takes about half as long.
///
/// Payloads are packed in section order into two alternating buffers, each as large as the largest payload;
/// the caller takes them in the same order. The bytes do not depend on the threads' timing: each payload is
/// packed by one pure function into a buffer no one else touches until the caller has written it.
final class PackingPipeline: @unchecked Sendable {
  private let payloads: [ConstantPayload]
  private let slots: [PageBackedMemory]
  /// Signalled when a slot holds the next payload for the caller.
  private let filled = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
  /// Signalled when the caller is done with a slot. Created at zero and signalled once at the start, because
  /// Dispatch traps when a semaphore is released below its initial value (as a cancelled pipeline leaves it).
  private let emptied = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
  private let finished = DispatchSemaphore(value: 0)
  private let cancellation = DispatchSemaphore(value: 1)
  private var cancelled = false
  /// How many payloads the caller has taken.
  private var taken = 0

  /// Starts packing `payloads` (each with a `packing` layout), in order.
  init(_ payloads: [ConstantPayload]) {
    self.payloads = payloads
    let largest = payloads.map(\.byteCount).max() ?? 0
    slots = [PageBackedMemory(byteCount: largest), PageBackedMemory(byteCount: largest)]
    for slot in emptied { slot.signal() }
    DispatchQueue.global().async { self.packAll() }
  }

  /// The next payload's packed bytes, valid until the following call or `finish()`.
  func next() -> UnsafeRawBufferPointer {
    precondition(taken < payloads.count, "more payloads taken than packed")
    let slot = taken % 2
    if taken >= 1 { emptied[(taken - 1) % 2].signal() }
    filled[slot].wait()
    let count = payloads[taken].byteCount
    taken += 1
    return UnsafeRawBufferPointer(rebasing: slots[slot].memory[0..<count])
  }

  /// Stops packing (if payloads are left, after an error) and waits for the packing thread to end: the
  /// slots must outlive it.
  func finish() {
    cancellation.wait()
    cancelled = true
    cancellation.signal()
    for slot in emptied { slot.signal() }
    finished.wait()
  }

  private func packAll() {
    defer { finished.signal() }
    for (index, payload) in payloads.enumerated() {
      let slot = index % 2
      emptied[slot].wait()
      cancellation.wait()
      let stop = cancelled
      cancellation.signal()
      if stop { return }
      if let base = slots[slot].memory.baseAddress { payload.layout.write(payload.bytes, into: base) }
      filled[slot].signal()
    }
  }
}
