// workloads.h — allocator workloads, memory samples and release calls for `vmprobe
// allocators` (see workloads.cc; which malloc is in force: allocator_identity.h).
#ifndef VMPROBE_WORKLOADS_H
#define VMPROBE_WORKLOADS_H

#include <napi.h>

namespace vmprobe {

Napi::Value AllocatorRelease(const Napi::CallbackInfo& info);
Napi::Value MemorySample(const Napi::CallbackInfo& info);
Napi::Value RunAllocatorWorkload(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_WORKLOADS_H
