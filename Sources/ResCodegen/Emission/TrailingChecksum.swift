import ResPlan
import Synchronization

/// The checksum of a constant section that two threads fill payload by payload, mixed in section order while
/// they fill it: whichever thread completes a payload mixes everything up to the end of the completed prefix,
/// unless the other one is already mixing.
///
/// Why: `PlanChecksum` is a sequential, format-defined function of the section's bytes, so it cannot be split
/// between threads; computed after the fill it was one thread reading ResNet-50's 168 MB back from memory
/// (~20 ms of a ~90 ms write) while the other core sat idle. Mixed behind the fill, it reads pages written
/// moments before (often still in the shared cache) on a core that would otherwise wait for the file's lock
/// or, at the end, for the other thread's last payload.
package final class TrailingChecksum: @unchecked Sendable {
  /// The section as it stands in its destination: a payload's bytes are final once it is reported complete.
  private let section: UnsafeRawBufferPointer
  /// Where each payload, in section order, ends.
  private let payloadEnds: [Int]
  private let progress: Mutex<Progress>
  /// Touched only by the thread that set `Progress.mixing` (the mutex orders the hand-over).
  private var accumulator: PlanChecksum.Accumulator
  /// Bytes of the section mixed so far.
  private var mixed = 0

  private struct Progress {
    /// Whether each payload, in section order, is complete.
    var complete: [Bool]
    /// How many payloads from the first are complete.
    var completePrefix = 0
    /// Whether a thread is mixing.
    var mixing = false
  }

  /// A checksum of `section`, whose payloads end at `payloadEnds` (increasing; zero-length payloads left out).
  package init(of section: UnsafeRawBufferPointer, payloadEnds: [Int]) {
    precondition(zip(payloadEnds, payloadEnds.dropFirst()).allSatisfy { $0 <= $1 }, "payloads out of order")
    precondition(payloadEnds.last.map { $0 <= section.count } ?? true, "a payload past the section's end")
    self.section = section
    self.payloadEnds = payloadEnds
    progress = Mutex(Progress(complete: Array(repeating: false, count: payloadEnds.count)))
    accumulator = PlanChecksum.Accumulator(length: section.count)
  }

  /// Records that payload `index` (in section order) holds its final bytes, then mixes up to the end of the
  /// completed prefix unless another thread is mixing (that thread then mixes this payload too).
  package func payloadCompleted(_ index: Int) {
    var end = progress.withLock { progress -> Int? in
      progress.complete[index] = true
      while progress.completePrefix < progress.complete.count && progress.complete[progress.completePrefix] {
        progress.completePrefix += 1
      }
      guard !progress.mixing else { return nil }
      progress.mixing = true
      return prefixEnd(progress)
    }
    while let target = end {
      mix(upTo: target)
      end = progress.withLock { progress -> Int? in
        let reached = prefixEnd(progress)
        guard reached > mixed else {
          progress.mixing = false
          return nil
        }
        return reached
      }
    }
  }

  /// The section's checksum, once no thread fills or mixes: mixes whatever the threads left.
  package func finish() -> UInt64 {
    precondition(progress.withLock { !$0.mixing && $0.completePrefix == $0.complete.count }, "the fill is not done")
    mix(upTo: section.count)
    return accumulator.finish()
  }

  /// Where the completed prefix of payloads ends.
  private func prefixEnd(_ progress: Progress) -> Int {
    progress.completePrefix == 0 ? 0 : payloadEnds[progress.completePrefix - 1]
  }

  private func mix(upTo end: Int) {
    guard end > mixed else { return }
    accumulator.add(UnsafeRawBufferPointer(rebasing: section[mixed..<end]))
    mixed = end
  }
}
