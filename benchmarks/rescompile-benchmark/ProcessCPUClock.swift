#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// CPU time this process has used, all threads together.
///
/// Reported next to wall time because on a shared machine a run's wall time mostly measures how long the
/// scheduler kept it waiting (with a load average of 12 on two cores, a single-threaded run gets ~15 % of a
/// core), while its CPU time stays close to what the work costs. For one thread the two agree on a quiet
/// machine; for several threads CPU time adds the threads up and counts any spinning, so it compares work,
/// not latency.
enum ProcessCPUClock {
  static func milliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
  }
}
