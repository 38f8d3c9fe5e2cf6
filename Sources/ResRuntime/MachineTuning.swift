#if canImport(Glibc)
  import Glibc
#endif
import ResCPU
import ResKernels
import ResPlan

/// The choices between methods that depend on the machine rather than on a step's geometry, for the
/// compiler to make when it packs a plan on the machine that will run it (a plan keeps them in its weight
/// layouts, and runs them on any machine).
public enum MachineTuning {
  /// `narrow` where this build's kernels use 512-bit vectors on an Intel processor, whose two 512-bit
  /// multiply-add units (Sapphire Rapids) make the indirect GEMM beat Winograd where Winograd saves least;
  /// `broad` elsewhere: on 256-bit kernels, and on AMD's AVX-512 (Zen 4 splits each 512-bit multiply-add over
  /// its 256-bit units), where Winograd was measured a sixth to a third faster (`WinogradReach`). AMD's Zen 5,
  /// whose units are 512 bits wide, was not measured and keeps `broad`.
  public static let winogradReach: WinogradReach =
    BuildISA.hasAVX512F && rescpu_running_avx512f() != 0 && rescpu_running_intel() != 0 ? .narrow : .broad

  /// One core's second-level cache in bytes as the C library reports it (glibc: `sysconf`, from CPUID), within
  /// 128 KB–64 MB; `assumedSecondLevelCacheBytes` where it does not say. It only orders a GEMM's loops
  /// (`ResidentWeightsGemm.longDepth`), never what a step computes.
  static let secondLevelCacheBytes: Int = {
    #if canImport(Glibc)
      let reported = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
      if (128 << 10)...(64 << 20) ~= reported { return reported }
    #endif
    return assumedSecondLevelCacheBytes
  }()

  /// The second-level cache assumed where the system does not report one (Zen 4's size; Apple's cores share
  /// larger ones).
  static let assumedSecondLevelCacheBytes = 1 << 20
}
