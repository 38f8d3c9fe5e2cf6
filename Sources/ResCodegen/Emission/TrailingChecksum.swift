import ResPlan
import Synchronization

/// The checksum of a constant section that two threads fill payload by payload, mixed in section order while
/// they fill it: whichever thread completes a payload, or a run of a large one, mixes everything up to where
/// the section's final bytes end, unless the other one is already mixing.
///
/// Why: `PlanChecksum` is a sequential, format-defined function of the section's bytes, so it cannot be split
/// between threads; computed after the fill it was one thread reading ResNet-50's 168 MB back from memory
/// (~20 ms of a ~90 ms write) while the other core sat idle. Mixed behind the fill, it reads pages written
/// moments before (often still in the shared cache) on a core that would otherwise wait for the file's lock
/// or, at the end, for the other thread's last payload.
package final class TrailingChecksum: @unchecked Sendable {
  /// The section as it stands in its destination: a payload's bytes are final once reported so.
  private let section: UnsafeRawBufferPointer
  /// Where each payload lies in the section, in section order.
  private let payloads: [Range<Int>]
  private let progress: Mutex<Progress>
  /// Touched only by the thread that set `Progress.mixing` (the mutex orders the hand-over).
  private var accumulator: PlanChecksum.Accumulator
  /// Bytes of the section mixed so far.
  private var mixed = 0

  private struct Progress {
    /// Bytes of each payload (in section order) that hold their final values, from its start.
    var final: [Int]
    /// How many payloads from the first are complete.
    var completePrefix = 0
    /// Whether a thread is mixing.
    var mixing = false
  }

  /// A checksum of `section`, whose payloads lie at `payloads` (in order, not overlapping, none empty).
  package init(of section: UnsafeRawBufferPointer, payloads: [Range<Int>]) {
    precondition(
      zip(payloads, payloads.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound }, "payloads out of order")
    precondition(payloads.allSatisfy { !$0.isEmpty && $0.lowerBound >= 0 }, "an empty payload")
    precondition(payloads.last.map { $0.upperBound <= section.count } ?? true, "a payload past the section's end")
    self.section = section
    self.payloads = payloads
    progress = Mutex(Progress(final: Array(repeating: 0, count: payloads.count)))
    accumulator = PlanChecksum.Accumulator(length: section.count)
  }

  /// Records that payload `index` (in section order) holds its final bytes.
  package func payloadCompleted(_ index: Int) {
    payloadProgressed(index, finalBytes: payloads[index].count)
  }

  /// Records that the first `finalBytes` bytes of payload `index` hold their final values, then mixes up to
  /// where the section's final bytes end unless another thread is mixing (that thread then mixes these too).
  package func payloadProgressed(_ index: Int, finalBytes: Int) {
    precondition((0...payloads[index].count).contains(finalBytes), "progress outside the payload")
    var end = progress.withLock { progress -> Int? in
      progress.final[index] = max(progress.final[index], finalBytes)
      while progress.completePrefix < payloads.count
        && progress.final[progress.completePrefix] == payloads[progress.completePrefix].count
      {
        progress.completePrefix += 1
      }
      guard !progress.mixing else { return nil }
      progress.mixing = true
      return finalEnd(progress)
    }
    while let target = end {
      mix(upTo: target)
      end = progress.withLock { progress -> Int? in
        let reached = finalEnd(progress)
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
    precondition(progress.withLock { !$0.mixing && $0.completePrefix == payloads.count }, "the fill is not done")
    mix(upTo: section.count)
    return accumulator.finish()
  }

  /// Where the section's final bytes end: after every complete payload from the first, the zeros after them
  /// and the final part of the next payload.
  private func finalEnd(_ progress: Progress) -> Int {
    let next = progress.completePrefix
    guard next < payloads.count else { return payloads.last?.upperBound ?? 0 }
    return payloads[next].lowerBound + progress.final[next]
  }

  private func mix(upTo end: Int) {
    guard end > mixed else { return }
    accumulator.add(UnsafeRawBufferPointer(rebasing: section[mixed..<end]))
    mixed = end
  }
}
