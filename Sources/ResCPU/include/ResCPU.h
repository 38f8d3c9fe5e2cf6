// ResCPU: what the running CPU supports, and what the Swift code importing this header was compiled for.
//
// Two different questions, answered in two different ways:
// - `rescpu_running_*` ask the processor at run time (CPUID through `__builtin_cpu_supports` on x86-64), so a
//   plan compiled for AVX-512 is refused with a message on a CPU without it instead of dying on an illegal
//   instruction.
// - `rescpu_compiled_*` are `static inline`: Swift's Clang importer compiles them with the *importing Swift
//   module's* target options, so they report whether that module was built with, for example,
//   `-Xswiftc -target-cpu -Xswiftc native`. The kernels use this to pick separate multiply and add on a
//   baseline SSE2 build (where a fused multiply-add becomes a library call per lane, ~30x slower), and the
//   runtime uses it to say once that the build does not use the vector instructions the CPU has.
#ifndef RESCPU_H
#define RESCPU_H

/// 1 when the running CPU has the feature, else 0.
int rescpu_running_sse41(void);
int rescpu_running_avx2(void);
int rescpu_running_fma(void);
int rescpu_running_avx512f(void);
int rescpu_running_neon(void);
/// Whether the processor is Intel's (x86 CPUID vendor "GenuineIntel"); 0 elsewhere.
int rescpu_running_intel(void);

/// 1 when the importing module was compiled with fused multiply-add as an instruction (x86 FMA3, any arm64).
static inline int rescpu_compiled_fma(void) {
#if defined(__FMA__) || defined(__aarch64__) || defined(__arm64__)
  return 1;
#else
  return 0;
#endif
}

/// 1 when the importing module was compiled for AVX2.
static inline int rescpu_compiled_avx2(void) {
#if defined(__AVX2__)
  return 1;
#else
  return 0;
#endif
}

/// 1 when the importing module was compiled for AVX-512 Foundation.
static inline int rescpu_compiled_avx512f(void) {
#if defined(__AVX512F__)
  return 1;
#else
  return 0;
#endif
}

/// 1 when the importing module was compiled with float16 ⇄ float32 conversion instructions (x86 F16C, which
/// every AVX2 CPU has; any arm64).
static inline int rescpu_compiled_f16c(void) {
#if defined(__F16C__) || defined(__aarch64__) || defined(__arm64__)
  return 1;
#else
  return 0;
#endif
}

/// 1 when the importing module targets arm64, where NEON is baseline.
static inline int rescpu_compiled_neon(void) {
#if defined(__aarch64__) || defined(__arm64__)
  return 1;
#else
  return 0;
#endif
}

/// Tells the core that the calling thread is busy-waiting (x86 `pause`, arm64 `yield`): the wait loop then
/// neither floods the memory pipeline with speculative loads nor starves a sibling hardware thread.
static inline void rescpu_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm64__)
  __asm__ __volatile__("yield");
#endif
}

/// Gives the core to another runnable thread, if there is one (`sched_yield`): a thread waiting for work
/// then costs nothing to a thread it shares a core with, and returns at once on an idle core.
void rescpu_yield(void);

/// Asks the cache hierarchy to bring the line holding `address` close to the core, for writing. A GEMM tile
/// prefetches the rows of C it will read or store after its reduction loop: those rows are a whole matrix row
/// apart, so the hardware prefetcher does not see them coming, and without the hint each row's first touch
/// stalls on L3 or memory once the reduction is done. A hint only: it never faults, even past the end.
static inline void rescpu_prefetch_for_write(const void *address) {
  __builtin_prefetch(address, 1, 3);
}

/// The same hint for a line that will only be read (a residual operand).
static inline void rescpu_prefetch_for_read(const void *address) {
  __builtin_prefetch(address, 0, 3);
}

/// The hint for a line that will be read later than the next few hundred cycles (weights streamed from memory
/// a tile ahead): into the second-level cache only (`prefetcht1` on x86-64).
static inline void rescpu_prefetch_to_l2(const void *address) {
  __builtin_prefetch(address, 0, 2);
}

/// The CPU the calling thread runs on, or -1 where the system does not say (Linux only).
int rescpu_current_cpu(void);

/// How many CPUs the calling thread may run on (its affinity mask), or -1 where the system does not say.
int rescpu_allowed_cpu_count(void);

/// Moves the calling thread to a CPU it may run on that is none of `cpus[0..<count]`, leaving its allowed set
/// as it was; 1 when it moved, 0 when it could not (every allowed CPU listed, not Linux). For a worker pool's
/// thread that the scheduler placed on the CPU of a thread it is to work beside.
int rescpu_move_off_cpus(const int *cpus, int count);

#endif
