import Dispatch
import Foundation

/// The single-precision multiply-add throughput this build reaches on this CPU when nothing but FMAs run:
/// the yardstick the layer benchmark divides by ("% of peak"), measured in the same run as the layers so a
/// shared machine's clock and load affect both alike.
///
/// Twelve independent `SIMD8<Float>` accumulators held in local variables (perf-notes.md: locals, unrolled,
/// no arrays, or exclusivity checks and spills swamp the loop), each updated with `addingProduct`, which is
/// one `vfmadd231ps ymm` when the build targets a CPU with FMA (`y + a * b` would stay a multiply and an add).
/// Twelve chains hide the FMA latency (4 cycles) on two pipes with room to spare, and leave 4 of AVX2's 16
/// vector registers for the operands. 8 lanes is AVX2's width: on AVX-512 this loop measures half the peak,
/// which the report says through `lanes`.
enum FMAPeak {
  static let accumulators = 12
  static let lanes = 8
  /// Floating-point operations per loop trip: each lane of each accumulator does a multiply and an add.
  static let flopsPerTrip = accumulators * lanes * 2

  /// Runs `trips` trips of the loop; returns a value that depends on every accumulator so that none of the
  /// work can be removed.
  @inline(never)
  static func loop(trips: Int, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> Float {
    var c0 = a
    var c1 = a + 1
    var c2 = a + 2
    var c3 = a + 3
    var c4 = a + 4
    var c5 = a + 5
    var c6 = a + 6
    var c7 = a + 7
    var c8 = a + 8
    var c9 = a + 9
    var c10 = a + 10
    var c11 = a + 11
    var remaining = trips
    while remaining > 0 {
      c0 = c0.addingProduct(a, b)
      c1 = c1.addingProduct(a, b)
      c2 = c2.addingProduct(a, b)
      c3 = c3.addingProduct(a, b)
      c4 = c4.addingProduct(a, b)
      c5 = c5.addingProduct(a, b)
      c6 = c6.addingProduct(a, b)
      c7 = c7.addingProduct(a, b)
      c8 = c8.addingProduct(a, b)
      c9 = c9.addingProduct(a, b)
      c10 = c10.addingProduct(a, b)
      c11 = c11.addingProduct(a, b)
      remaining -= 1
    }
    let sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))
    return sum.sum()
  }

  /// GFLOP/s of one timed repetition with `threads` threads each running `trips` trips.
  static func measure(threads: Int, trips: Int) -> Double {
    // Operands the optimizer cannot see through: a tiny product keeps the sums finite for any trip count.
    let seed = Float(ProcessInfo.processInfo.processIdentifier % 7 + 1)
    let a = SIMD8<Float>(repeating: 1e-3 * seed)
    let b = SIMD8<Float>(repeating: 1e-4)
    let sink = ResultSink(count: threads)
    let clock = ContinuousClock()
    let start = clock.now
    DispatchQueue.concurrentPerform(iterations: threads) { index in
      sink.store(loop(trips: trips, a, b), at: index)
    }
    let seconds = PlanTimer.milliseconds(clock.now - start) / 1000
    guard sink.total.isFinite else { return 0 }
    return Double(threads) * Double(trips) * Double(flopsPerTrip) / seconds / 1e9
  }

  /// Trips that take about `seconds` on one thread, found by doubling from a short probe.
  static func calibratedTrips(seconds: Double = 0.1) -> Int {
    var trips = 1 << 16
    while trips < 1 << 40 {
      let gflops = measure(threads: 1, trips: trips)
      let elapsed = Double(trips) * Double(flopsPerTrip) / (gflops * 1e9)
      if elapsed >= seconds / 8 { return max(trips, Int(Double(trips) * seconds / elapsed)) }
      trips *= 2
    }
    return trips
  }
}

/// Where each thread leaves its loop's result (read once all threads are done).
private final class ResultSink: @unchecked Sendable {
  private var values: [Float]
  private let lock = NSLock()

  init(count: Int) {
    values = Array(repeating: 0, count: count)
  }

  func store(_ value: Float, at index: Int) {
    lock.lock()
    values[index] = value
    lock.unlock()
  }

  var total: Float {
    lock.lock()
    defer { lock.unlock() }
    return values.reduce(0, +)
  }
}
