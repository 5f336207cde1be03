// touch.cc — the measured touch loop shared by Mapping and HeapBlock.
//
// Each touched address is accessed through a volatile pointer so the compiler keeps
// every access; a write stores one byte without reading first, so a write to a page
// never read costs one fault, not a read fault plus a copy-on-write fault.
// Faults come from getrusage(RUSAGE_THREAD) around the loop (see measure.h).
#include "touch.h"

#include "args.h"

namespace vmprobe {

TouchResult TouchRange(uint8_t* base, size_t offset, size_t length, size_t stride, bool write, size_t pageSize) {
  TouchResult r;
  if (length == 0) return r;
  // Count accesses up front so the loop is as bare as the C reference in bench/.
  const size_t accesses = (length - 1) / stride + 1;
  const size_t last = offset + (accesses - 1) * stride;
  // With stride >= one page every access lands on a new page; with a smaller stride
  // every page between the first and the last access is touched.
  r.pagesTouched = stride >= pageSize ? accesses : last / pageSize - offset / pageSize + 1;
  volatile uint8_t* p = base;
  uint8_t sink = 0;
  FaultClock clock;
  // Index arithmetic, not pointer bumps: the pointer never steps past the range.
  if (write) {
    for (size_t i = 0, at = offset; i < accesses; ++i, at += stride) p[at] = 1;
  } else {
    for (size_t i = 0, at = offset; i < accesses; ++i, at += stride) sink ^= p[at];
  }
  r.counters = clock.Elapsed();
  asm volatile("" : : "r"(sink) : "memory");  // keep the reads observable
  return r;
}

TouchArgs ReadTouchArgs(const Napi::CallbackInfo& info, size_t sizeBytes, size_t pageSize) {
  TouchArgs a;
  a.offset = ReadCount(info[0], "offsetBytes", 0, sizeBytes);
  a.length = ReadCount(info[1], "lengthBytes", 0, sizeBytes - a.offset);
  a.stride = ReadCount(info[2], "strideBytes", 1, kMaxSafeInteger);
  a.write = ReadChoice(info[3], "mode", {"read", "write"}) == 1;
  (void)pageSize;
  return a;
}

Napi::Object CountersToJs(Napi::Env env, const Counters& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("minorFaults", Napi::Number::New(env, static_cast<double>(c.minorFaults)));
  o.Set("majorFaults", Napi::Number::New(env, static_cast<double>(c.majorFaults)));
  o.Set("elapsedNs", Napi::Number::New(env, static_cast<double>(c.elapsedNs)));
  return o;
}

Napi::Object TouchResultToJs(Napi::Env env, const TouchResult& r) {
  Napi::Object o = CountersToJs(env, r.counters);
  o.Set("pagesTouched", Napi::Number::New(env, static_cast<double>(r.pagesTouched)));
  return o;
}

}  // namespace vmprobe
