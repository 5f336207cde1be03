// live.h — counts of live native handles: mmap regions and malloc blocks not yet
// released (by unmap()/free(), a finalizer, or an environment's teardown).
//
// Deliberately PROCESS-wide (std::atomic, not per-instance data): what it counts —
// mappings and heap blocks — belong to the process, so a parent can check that a
// terminated worker left nothing behind. Read with liveHandles().
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>

namespace vmprobe {

struct LiveHandleCounts {
  std::atomic<int64_t> mappings{0};
  std::atomic<int64_t> heapBlocks{0};
  std::atomic<int64_t> blockSets{0};
};

// The one instance, in live.cc.
LiveHandleCounts& LiveHandles();

// liveHandles() → { mappings, heapBlocks, blockSets }
Napi::Value GetLiveHandles(const Napi::CallbackInfo& info);

}  // namespace vmprobe
