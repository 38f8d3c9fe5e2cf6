import Dispatch
import Foundation
import ResKernels

/// The single-precision multiply-add throughput this build reaches on this CPU when nothing but FMAs run:
/// the yardstick the layer benchmark divides by ("% of peak"), measured in the same run as the layers so a
/// shared machine's clock and load affect both alike.
///
/// Twelve independent vector accumulators held in local variables (perf-notes.md: locals, unrolled, no
/// arrays, or exclusivity checks and spills swamp the loop), each updated with `addingProduct`, which is one
/// `vfmadd231ps` when the build targets a CPU with FMA (`y + a * b` would stay a multiply and an add). Twelve
/// chains hide the FMA latency (4 cycles) on two pipes with room to spare. The vectors are as wide as the
/// build's registers: `SIMD8<Float>` (one ymm; 12 of AVX2's 16 registers) unless the build targets AVX-512,
/// where `SIMD16<Float>` is one zmm and SIMD8 would measure half the peak.
enum FMAPeak {
  static let accumulators = 12
  static let lanes = BuildISA.hasAVX512F ? 16 : 8
  /// Floating-point operations per loop trip: each lane of each accumulator does a multiply and an add.
  static let flopsPerTrip = accumulators * lanes * 2

  /// Runs `trips` trips of the loop over `lanes`-wide vectors whose operands are the first `2 · lanes`
  /// floats at `operands`; returns a value that depends on every accumulator so that none of the work can be
  /// removed.
  static func loop(trips: Int, _ operands: UnsafePointer<Float>) -> Float {
    lanes == 16 ? loop16(trips: trips, operands) : loop8(trips: trips, operands)
  }

  /// The loop over `SIMD16<Float>`. Not generic, and its operands loaded from memory inside it: a generic
  /// version that took the vectors as arguments was compiled (Swift 6.3, znver5) into 256-bit halves with
  /// inserts and extracts around every multiply-add, and reported 105 GFLOP/s on a core whose peak is 264.
  @inline(never)
  static func loop16(trips: Int, _ operands: UnsafePointer<Float>) -> Float {
    let raw = UnsafeRawPointer(operands)
    let a = raw.loadUnaligned(as: SIMD16<Float>.self)
    let b = raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
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

  /// The loop over `SIMD8<Float>` (one AVX2 register), as `loop16`.
  @inline(never)
  static func loop8(trips: Int, _ operands: UnsafePointer<Float>) -> Float {
    let raw = UnsafeRawPointer(operands)
    let a = raw.loadUnaligned(as: SIMD8<Float>.self)
    let b = raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
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

  /// GFLOP/s of one timed repetition with `threads` threads each running `trips` trips: by wall time, and by
  /// process CPU time scaled to `threads` cores (what the threads reach while they are on a core).
  static func measure(threads: Int, trips: Int) -> PeakSample {
    // Operands the optimizer cannot see through: a tiny product keeps the sums finite for any trip count.
    let seed = Float(ProcessInfo.processInfo.processIdentifier % 7 + 1)
    let sink = ResultSink(count: threads)
    let clock = ContinuousClock()
    let start = clock.now
    let cpuStart = ProcessCPUClock.milliseconds()
    DispatchQueue.concurrentPerform(iterations: threads) { index in
      let operands = [Float](repeating: 1e-3 * seed, count: lanes) + [Float](repeating: 1e-4, count: lanes)
      let result = operands.withUnsafeBufferPointer { loop(trips: trips, $0.baseAddress!) }
      sink.store(result, at: index)
    }
    let cpuSeconds = (ProcessCPUClock.milliseconds() - cpuStart) / 1000
    let seconds = PlanTimer.milliseconds(clock.now - start) / 1000
    guard sink.total.isFinite, seconds > 0, cpuSeconds > 0 else { return PeakSample(wall: 0, cpu: 0) }
    let gigaflops = Double(threads) * Double(trips) * Double(flopsPerTrip) / 1e9
    return PeakSample(wall: gigaflops / seconds, cpu: gigaflops / cpuSeconds * Double(threads))
  }

  /// Trips that take about `seconds` on one thread, found by doubling from a short probe.
  static func calibratedTrips(seconds: Double = 0.1) -> Int {
    var trips = 1 << 16
    while trips < 1 << 40 {
      let gflops = measure(threads: 1, trips: trips).cpu
      guard gflops > 0 else { return trips }
      let elapsed = Double(trips) * Double(flopsPerTrip) / (gflops * 1e9)
      if elapsed >= seconds / 8 { return max(trips, Int(Double(trips) * seconds / elapsed)) }
      trips *= 2
    }
    return trips
  }
}

/// One repetition's GFLOP/s, by wall time and by CPU time.
struct PeakSample: Equatable {
  var wall: Double
  var cpu: Double
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
