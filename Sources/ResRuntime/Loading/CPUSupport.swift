import Foundation
import ResCPU
import ResKernels
import ResPlan

/// The running CPU's features, checked against what a plan requires, and against what this build of the
/// kernels was compiled for.
enum CPUSupport {
  /// The features of the processor this process runs on.
  static let running: CPUFeatures = {
    var features: CPUFeatures = []
    if rescpu_running_sse41() != 0 { features.insert(.sse41) }
    if rescpu_running_avx2() != 0 { features.insert(.avx2) }
    if rescpu_running_fma() != 0 { features.insert(.fma) }
    if rescpu_running_avx512f() != 0 { features.insert(.avx512f) }
    if rescpu_running_neon() != 0 { features.insert(.neon) }
    return features
  }()

  /// Refuses a plan whose kernels assume features this CPU lacks (or features this runtime cannot name).
  static func check(_ required: CPUFeatures) throws(RuntimeError) {
    if required.unknownBits != 0 {
      let bits = String(required.unknownBits, radix: 16)
      throw RuntimeError(
        .unsupportedCPU, "the plan requires CPU features unknown to this runtime (bits 0x\(bits)); update the runtime")
    }
    let missing = required.subtracting(running)
    guard missing.isEmpty else {
      throw RuntimeError(
        .unsupportedCPU,
        "the plan requires CPU features this machine lacks: \(missing.names.joined(separator: ", ")) (it has \(running.names.joined(separator: ", ")))"
      )
    }
  }

  /// The vector features the CPU has but this build's kernels were not compiled for.
  static var unusedFeatures: [String] {
    var unused: [String] = []
    if running.contains(.avx2) && !BuildISA.hasAVX2 { unused.append("avx2") }
    if running.contains(.fma) && !BuildISA.hasFusedMultiplyAdd { unused.append("fma") }
    if running.contains(.avx512f) && !BuildISA.hasAVX512F { unused.append("avx512f") }
    return unused
  }

  /// Says once per process, on standard error, when the kernels run well below the machine's speed because
  /// the build targeted an older instruction set (DESIGN.md §7: never silently slow). Set
  /// `RESCOMPILE_QUIET_ISA=1` to silence it.
  static func noteUnusedFeaturesOnce() {
    _ = noteOnce
  }

  private static let noteOnce: Void = {
    let unused = unusedFeatures
    guard !unused.isEmpty, ProcessInfo.processInfo.environment["RESCOMPILE_QUIET_ISA"] == nil else { return }
    let message =
      "rescompile: note: the runtime's kernels were compiled for \(BuildISA.name), but this CPU also has "
      + "\(unused.joined(separator: ", ")); build with `-Xswiftc -target-cpu -Xswiftc native` for full speed\n"
    FileHandle.standardError.write(Data(message.utf8))
  }()
}
