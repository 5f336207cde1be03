// measure.h — the counters every measured action reads around itself.
//
// getrusage(2) with RUSAGE_THREAD counts only the calling thread's faults, so V8's
// compiler and GC threads add nothing; read before and after inside ONE native call,
// no JS runs in between and the delta is exact. clock_gettime(CLOCK_MONOTONIC) for time.
//
// Under AddressSanitizer (npm run test:asan) the compiler would add a shadow-memory
// check to every load and store; the first check on each 32 KiB of memory faults a
// shadow page in this same thread, inside the measured window (10 touched pages gave 2
// extra faults). VMPROBE_MEASURED switches that instrumentation off for the code that
// runs between the two counter reads, so the counts stay exact under ASan too. UBSan
// stays on: its checks compare values and add no memory accesses. Measured on gcc 12's
// libasan: its mmap/mprotect interceptors touch no shadow and munmap/madvise are not
// intercepted (0 extra faults on fresh ranges), so the syscalls need no bypass.
//
// The counters reach JS only through CountersToJs / SetCounters, after the measurement.
#ifndef VMPROBE_MEASURE_H
#define VMPROBE_MEASURE_H

#include <napi.h>
#include <sys/resource.h>
#include <time.h>

#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define VMPROBE_MEASURED __attribute__((no_sanitize("address")))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VMPROBE_MEASURED __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef VMPROBE_MEASURED
#define VMPROBE_MEASURED
#endif

namespace vmprobe {

struct Counters {
  uint64_t minorFaults = 0;
  uint64_t majorFaults = 0;
  uint64_t elapsedNs = 0;
};

// CLOCK_MONOTONIC in nanoseconds. vDSO: no syscall, no fault on a warm page.
VMPROBE_MEASURED inline uint64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

class FaultClock {
 public:
  VMPROBE_MEASURED FaultClock() { Sample(&startUsage_, &startNs_); }
  // Faults and time since construction. The clock is read after getrusage on the way
  // in and before it on the way out, so elapsedNs covers the measured work only.
  VMPROBE_MEASURED Counters Elapsed() const {
    struct rusage now;
    const uint64_t nowNs = MonotonicNs();
    getrusage(RUSAGE_THREAD, &now);
    Counters c;
    c.minorFaults = static_cast<uint64_t>(now.ru_minflt - startUsage_.ru_minflt);
    c.majorFaults = static_cast<uint64_t>(now.ru_majflt - startUsage_.ru_majflt);
    c.elapsedNs = nowNs - startNs_;
    return c;
  }

 private:
  VMPROBE_MEASURED static void Sample(struct rusage* usage, uint64_t* ns) {
    getrusage(RUSAGE_THREAD, usage);  // cannot fail for RUSAGE_THREAD with a valid pointer
    *ns = MonotonicNs();
  }
  struct rusage startUsage_;
  uint64_t startNs_;
};

// Sets minorFaults, majorFaults and elapsedNs on a result object.
inline void SetCounters(Napi::Env env, Napi::Object o, const Counters& c) {
  o.Set("minorFaults", Napi::Number::New(env, static_cast<double>(c.minorFaults)));
  o.Set("majorFaults", Napi::Number::New(env, static_cast<double>(c.majorFaults)));
  o.Set("elapsedNs", Napi::Number::New(env, static_cast<double>(c.elapsedNs)));
}

// { minorFaults, majorFaults, elapsedNs }
inline Napi::Object CountersToJs(Napi::Env env, const Counters& c) {
  Napi::Object o = Napi::Object::New(env);
  SetCounters(env, o, c);
  return o;
}

}  // namespace vmprobe

#endif  // VMPROBE_MEASURE_H
