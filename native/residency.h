// residency.h — page residency by mincore(2), streamed in bounded chunks.
#ifndef VMPROBE_RESIDENCY_H
#define VMPROBE_RESIDENCY_H

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace vmprobe {

// Most runs one scan returns as objects (a million objects is already ~100 MB of heap;
// more could exhaust V8's heap, which aborts the process).
constexpr size_t kMaxRuns = 1u << 20;

// Scans the pages spanning [address, address + lengthBytes) and returns
// { pages, residentPages, runCount, runs: [{ startPage, pages, resident }] } where
// runs are run-length runs of equal residency, the first `maxRuns` of them.
Napi::Object ScanResidency(Napi::Env env, uint64_t address, uint64_t lengthBytes, size_t maxRuns, size_t pageSize);

// JS: mincoreScan(address: bigint, lengthBytes: number, maxRuns: number)
Napi::Value MincoreScan(const Napi::CallbackInfo& info);
// JS: bufferRange(view: ArrayBuffer | TypedArray | DataView) -> { address: bigint | null, byteLength }
Napi::Value BufferRange(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_RESIDENCY_H
