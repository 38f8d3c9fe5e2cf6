// Run-time CPU feature detection and the scheduler yield (see include/ResCPU.h).
#include "ResCPU.h"

#include <sched.h>

#if defined(__x86_64__) || defined(__i386__)
// `__builtin_cpu_init` is idempotent and cheap; calling it makes these safe even from a static constructor.
int rescpu_running_sse41(void) { __builtin_cpu_init(); return __builtin_cpu_supports("sse4.1") ? 1 : 0; }
int rescpu_running_avx2(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx2") ? 1 : 0; }
int rescpu_running_fma(void) { __builtin_cpu_init(); return __builtin_cpu_supports("fma") ? 1 : 0; }
int rescpu_running_avx512f(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx512f") ? 1 : 0; }
int rescpu_running_neon(void) { return 0; }
#elif defined(__aarch64__) || defined(__arm64__)
int rescpu_running_sse41(void) { return 0; }
int rescpu_running_avx2(void) { return 0; }
int rescpu_running_fma(void) { return 0; }
int rescpu_running_avx512f(void) { return 0; }
// Advanced SIMD is part of the arm64 baseline.
int rescpu_running_neon(void) { return 1; }
#else
int rescpu_running_sse41(void) { return 0; }
int rescpu_running_avx2(void) { return 0; }
int rescpu_running_fma(void) { return 0; }
int rescpu_running_avx512f(void) { return 0; }
int rescpu_running_neon(void) { return 0; }
#endif

void rescpu_yield(void) { sched_yield(); }
