// pagetables.h — page-table memory (VmPTE) around mmap and the first touch, read
// inside one native call so no JavaScript (and no V8 heap growth on this thread) runs
// between the readings.
#pragma once

#include <napi.h>

namespace vmprobe {

// pageTableProbe({ sizeBytes, repeats }) → { mapDeltaBytes: number[], touchDeltaBytes: number[] }
Napi::Value PageTableProbe(const Napi::CallbackInfo& info);

}  // namespace vmprobe
