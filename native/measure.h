// measure.h — the counters every measured action reads around itself.
//
// getrusage(2) with RUSAGE_THREAD counts only the calling thread's faults, so V8's
// compiler and GC threads add nothing; read before and after inside ONE native call,
// no JS runs in between and the delta is exact. clock_gettime(CLOCK_MONOTONIC) for time.
#ifndef VMPROBE_MEASURE_H
#define VMPROBE_MEASURE_H

#include <sys/resource.h>
#include <time.h>

#include <cstdint>

namespace vmprobe {

struct Counters {
  uint64_t minorFaults = 0;
  uint64_t majorFaults = 0;
  uint64_t elapsedNs = 0;
};

class FaultClock {
 public:
  FaultClock() { Sample(&startUsage_, &startNs_); }
  // Faults and time since construction. The clock is read after getrusage on the way
  // in and before it on the way out, so elapsedNs covers the measured work only.
  Counters Elapsed() const {
    struct rusage now;
    const uint64_t nowNs = NowNs();
    getrusage(RUSAGE_THREAD, &now);
    Counters c;
    c.minorFaults = static_cast<uint64_t>(now.ru_minflt - startUsage_.ru_minflt);
    c.majorFaults = static_cast<uint64_t>(now.ru_majflt - startUsage_.ru_majflt);
    c.elapsedNs = nowNs - startNs_;
    return c;
  }

 private:
  static uint64_t NowNs() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no syscall, no fault on a warm page
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
  }
  static void Sample(struct rusage* usage, uint64_t* ns) {
    getrusage(RUSAGE_THREAD, usage);  // cannot fail for RUSAGE_THREAD with a valid pointer
    *ns = NowNs();
  }
  struct rusage startUsage_;
  uint64_t startNs_;
};

}  // namespace vmprobe

#endif  // VMPROBE_MEASURE_H
