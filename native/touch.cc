// touch.cc — the measured touch loop shared by Mapping and HeapBlock.
//
// Each touched address is accessed through a volatile pointer so the compiler keeps
// every access; a write stores one byte without reading first, so a write to a page
// never read costs one fault, not a read fault plus a copy-on-write fault.
// Faults come from getrusage(RUSAGE_THREAD) around the loop (see measure.h).
#include "touch.h"

#include "args.h"
#include "residency.h"

namespace vmprobe {

// Not ASan-instrumented (VMPROBE_MEASURED): a shadow check per access would fault
// shadow pages inside the measured window.
VMPROBE_MEASURED TouchResult TouchRange(uint8_t* base, size_t offset, size_t length, size_t stride, bool write, size_t pageSize) {
  TouchResult r;
  if (length == 0) return r;
  volatile uint8_t* p = base;
  uint8_t sink = 0;
  // Page numbers come from addresses, not offsets: a heap block need not start on a page.
  const uintptr_t first = reinterpret_cast<uintptr_t>(base) + offset;
  const uintptr_t firstPage = first / pageSize;
  const uintptr_t lastPage = (first + length - 1) / pageSize;
  if (stride == 0) {
    // One access in every page the range spans: its first byte, then each page start.
    const size_t pages = lastPage - firstPage + 1;
    const size_t headBytes = (firstPage + 1) * pageSize - first;  // bytes up to the next page
    r.pagesTouched = pages;
    FaultClock clock;
    if (write) {
      p[offset] = 1;
      for (size_t i = 1, at = offset + headBytes; i < pages; ++i, at += pageSize) p[at] = 1;
    } else {
      sink ^= p[offset];
      for (size_t i = 1, at = offset + headBytes; i < pages; ++i, at += pageSize) sink ^= p[at];
    }
    r.counters = clock.Elapsed();
  } else {
    // Count accesses up front so the loop is as bare as the C reference in bench/.
    const size_t accesses = (length - 1) / stride + 1;
    const uintptr_t lastAccessPage = (first + (accesses - 1) * stride) / pageSize;
    // With stride >= one page every access lands on a new page; with a smaller stride
    // every page between the first and the last access is touched.
    r.pagesTouched = stride >= pageSize ? accesses : lastAccessPage - firstPage + 1;
    FaultClock clock;
    // Index arithmetic, not pointer bumps: the pointer never steps past the range.
    if (write) {
      for (size_t i = 0, at = offset; i < accesses; ++i, at += stride) p[at] = 1;
    } else {
      for (size_t i = 0, at = offset; i < accesses; ++i, at += stride) sink ^= p[at];
    }
    r.counters = clock.Elapsed();
  }
  asm volatile("" : : "r"(sink) : "memory");  // keep the reads observable
  return r;
}

TouchArgs ReadTouchArgs(const Napi::CallbackInfo& info, size_t sizeBytes) {
  TouchArgs a;
  a.offset = ReadCount(info[0], "offsetBytes", 0, sizeBytes);
  a.length = ReadCount(info[1], "lengthBytes", 0, sizeBytes - a.offset);
  a.stride = ReadCount(info[2], "strideBytes", 0, kMaxSafeInteger);  // 0: one access per page spanned
  a.write = ReadChoice(info[3], "mode", {"read", "write"}) == 1;
  return a;
}

RangeArgs ReadRangeArgs(const Napi::CallbackInfo& info, size_t sizeBytes) {
  RangeArgs a;
  a.offset = ReadCount(info[0], "offsetBytes", 0, sizeBytes);
  a.length = ReadCount(info[1], "lengthBytes", 0, sizeBytes - a.offset);
  a.maxRuns = ReadCount(info[2], "maxRuns", 0, kMaxRuns);
  return a;
}

Napi::Object TouchResultToJs(Napi::Env env, const TouchResult& r) {
  Napi::Object o = CountersToJs(env, r.counters);
  o.Set("pagesTouched", Napi::Number::New(env, static_cast<double>(r.pagesTouched)));
  return o;
}

}  // namespace vmprobe
