// touch.h — touching memory a handle owns, with the faults that touching caused.
#ifndef VMPROBE_TOUCH_H
#define VMPROBE_TOUCH_H

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "measure.h"

namespace vmprobe {

struct TouchResult {
  uint64_t pagesTouched = 0;
  Counters counters;
};

// Reads (or writes one byte at) `base + offset`, `base + offset + stride`, ... below
// `base + offset + length`; with stride 0, one byte in every page the range spans (its
// first byte, then each page start). The caller has already checked that the range
// lies inside memory it owns and that the protection allows the access: this cannot.
TouchResult TouchRange(uint8_t* base, size_t offset, size_t length, size_t stride, bool write, size_t pageSize);

// Reads the common touch arguments (offsetBytes, lengthBytes, strideBytes, mode) from
// info[0..3], bounds-checks them against `sizeBytes`, and returns them (stride 0 allowed).
struct TouchArgs {
  size_t offset;
  size_t length;
  size_t stride;
  bool write;
};
TouchArgs ReadTouchArgs(const Napi::CallbackInfo& info, size_t sizeBytes);

// Reads the residency arguments (offsetBytes, lengthBytes, maxRuns) from info[0..2],
// bounds-checks the range against `sizeBytes` and maxRuns against kMaxRuns
// (residency.h). Mapping::Residency and HeapBlock::Residency share it.
struct RangeArgs {
  size_t offset;
  size_t length;
  size_t maxRuns;
};
RangeArgs ReadRangeArgs(const Napi::CallbackInfo& info, size_t sizeBytes);

// { pagesTouched, minorFaults, majorFaults, elapsedNs }
Napi::Object TouchResultToJs(Napi::Env env, const TouchResult& r);

}  // namespace vmprobe

#endif  // VMPROBE_TOUCH_H
