import ResCPU

/// The vector instruction set these kernels were compiled for (not the one the running CPU has).
///
/// Swift kernels use whatever the compiler targets: baseline x86-64 is SSE2 unless the build names a CPU
/// (`-Xswiftc -target-cpu -Xswiftc native`). The answer comes from ResCPU's `static inline` probes, which the
/// Clang importer evaluates with this module's own target options, so it is a compile-time constant here.
public enum BuildISA {
  /// Whether a fused multiply-add is one instruction in this build. When it is not (baseline SSE2),
  /// `addingProduct` becomes a `fmaf` library call per lane, about 30x slower than a separate multiply and
  /// add; the kernels then use the separate form (results differ in the last bit, as they would between any
  /// two BLAS builds).
  @inline(__always)
  public static var hasFusedMultiplyAdd: Bool { rescpu_compiled_fma() != 0 }

  public static var hasAVX2: Bool { rescpu_compiled_avx2() != 0 }
  /// Whether float16 ⇄ float32 conversions are instructions in this build (x86 F16C, arm64), which
  /// `HalfPrecision`'s vector conversions then use (outside Apple's platforms).
  @inline(__always)
  public static var hasHalfConversion: Bool { rescpu_compiled_f16c() != 0 }
  public static var hasAVX512F: Bool { rescpu_compiled_avx512f() != 0 }
  public static var hasNEON: Bool { rescpu_compiled_neon() != 0 }

  /// The suffix microkernel names carry: `avx512`, `avx2`, `neon`, `sse2` (x86-64 baseline) or `scalar`.
  public static var name: String {
    if hasAVX512F { return "avx512" }
    if hasAVX2 && hasFusedMultiplyAdd { return "avx2" }
    if hasNEON { return "neon" }
    #if arch(x86_64)
      return "sse2"
    #else
      return "scalar"
    #endif
  }
}
