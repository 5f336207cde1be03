// workloads.h — allocator workloads and allocator introspection for `vmprobe allocators`
// (see workloads.cc).
#ifndef VMPROBE_WORKLOADS_H
#define VMPROBE_WORKLOADS_H

#include <napi.h>

namespace vmprobe {

Napi::Value AllocatorIdentity(const Napi::CallbackInfo& info);
Napi::Value AllocatorRelease(const Napi::CallbackInfo& info);
Napi::Value MemorySample(const Napi::CallbackInfo& info);
Napi::Value RunAllocatorWorkload(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_WORKLOADS_H
