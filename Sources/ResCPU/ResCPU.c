// Run-time CPU feature detection, the scheduler yield and CPU placement (see include/ResCPU.h).
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "ResCPU.h"

#include <sched.h>

#if defined(__x86_64__) || defined(__i386__)
// `__builtin_cpu_init` is idempotent and cheap; calling it makes these safe even from a static constructor.
int rescpu_running_sse41(void) { __builtin_cpu_init(); return __builtin_cpu_supports("sse4.1") ? 1 : 0; }
int rescpu_running_avx2(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx2") ? 1 : 0; }
int rescpu_running_fma(void) { __builtin_cpu_init(); return __builtin_cpu_supports("fma") ? 1 : 0; }
int rescpu_running_avx512f(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx512f") ? 1 : 0; }
int rescpu_running_neon(void) { return 0; }
int rescpu_running_intel(void) { __builtin_cpu_init(); return __builtin_cpu_is("intel") ? 1 : 0; }
#elif defined(__aarch64__) || defined(__arm64__)
int rescpu_running_sse41(void) { return 0; }
int rescpu_running_avx2(void) { return 0; }
int rescpu_running_fma(void) { return 0; }
int rescpu_running_avx512f(void) { return 0; }
// Advanced SIMD is part of the arm64 baseline.
int rescpu_running_neon(void) { return 1; }
int rescpu_running_intel(void) { return 0; }
#else
int rescpu_running_sse41(void) { return 0; }
int rescpu_running_avx2(void) { return 0; }
int rescpu_running_fma(void) { return 0; }
int rescpu_running_avx512f(void) { return 0; }
int rescpu_running_neon(void) { return 0; }
int rescpu_running_intel(void) { return 0; }
#endif

void rescpu_yield(void) { sched_yield(); }

#if defined(__linux__)
int rescpu_current_cpu(void) { return sched_getcpu(); }

int rescpu_allowed_cpu_count(void) {
  cpu_set_t allowed;
  return sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed) : -1;
}

int rescpu_move_off_cpus(const int *cpus, int count) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  cpu_set_t others = allowed;
  for (int i = 0; i < count; i++) {
    if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE) CPU_CLR(cpus[i], &others);
  }
  if (CPU_COUNT(&others) == 0 || CPU_EQUAL(&others, &allowed)) return 0;
  // Setting a mask without the current CPU migrates the thread before the call returns; the original mask
  // is restored at once, so the thread is pinned only for that moment.
  if (sched_setaffinity(0, sizeof others, &others) != 0) return 0;
  sched_setaffinity(0, sizeof allowed, &allowed);
  return 1;
}
#else
int rescpu_current_cpu(void) { return -1; }
int rescpu_allowed_cpu_count(void) { return -1; }
int rescpu_move_off_cpus(const int *cpus, int count) { (void)cpus; (void)count; return 0; }
#endif
