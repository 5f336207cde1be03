// addon.cc — registration only: lists what the addon exports, does nothing else.
//
// Context-aware (Napi::Addon): every environment (main thread, each worker) gets its
// own instance, and no state lives in statics. kAddonAbi tells the TypeScript loader
// whether this binary matches the JS that loads it (a stale build is reported with the
// command that rebuilds it).
#include <napi.h>

#include "allocator_identity.h"
#include "block_set.h"
#include "constants.h"
#include "heap.h"
#include "layout.h"
#include "libc.h"
#include "malloc_control.h"
#include "live.h"
#include "mapping.h"
#include "pagecache.h"
#include "pagetables.h"
#include "residency.h"
#include "stack.h"
#include "usage.h"
#include "workloads.h"

namespace vmprobe {

constexpr int kAddonAbi = 8;

class VmProbeAddon : public Napi::Addon<VmProbeAddon> {
 public:
  VmProbeAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceValue("abi", Napi::Number::New(env, kAddonAbi), napi_enumerable),
                             InstanceValue("constants", ConstantsToJs(env), napi_enumerable),
                             InstanceValue("Mapping", Mapping::Define(env), napi_enumerable),
                             InstanceValue("HeapBlock", HeapBlock::Define(env), napi_enumerable),
                             InstanceValue("BlockSet", BlockSet::Define(env), napi_enumerable),
                             InstanceValue("mincoreScan", Napi::Function::New<MincoreScan>(env, "mincoreScan"), napi_enumerable),
                             InstanceValue("bufferRange", Napi::Function::New<BufferRange>(env, "bufferRange"), napi_enumerable),
                             InstanceValue("getrusage", Napi::Function::New<GetRusage>(env, "getrusage"), napi_enumerable),
                             InstanceValue("getrlimit", Napi::Function::New<GetRlimit>(env, "getrlimit"), napi_enumerable),
                             InstanceValue("setrlimit", Napi::Function::New<SetRlimit>(env, "setrlimit"), napi_enumerable),
                             InstanceValue("sysconf", Napi::Function::New<Sysconf>(env, "sysconf"), napi_enumerable),
                             InstanceValue("libc", Napi::Function::New<Libc>(env, "libc"), napi_enumerable),
                             InstanceValue("fadvise", Napi::Function::New<Fadvise>(env, "fadvise"), napi_enumerable),
                             InstanceValue("layoutAddresses", Napi::Function::New<LayoutAddresses>(env, "layoutAddresses"), napi_enumerable),
                             InstanceValue("loadedObjects", Napi::Function::New<LoadedObjects>(env, "loadedObjects"), napi_enumerable),
                             InstanceValue("segmentTouch", Napi::Function::New<SegmentTouch>(env, "segmentTouch"), napi_enumerable),
                             InstanceValue("layoutFault", Napi::Function::New<LayoutFault>(env, "layoutFault"), napi_enumerable),
                             InstanceValue("threadStack", Napi::Function::New<ThreadStack>(env, "threadStack"), napi_enumerable),
                             InstanceValue("stackRecurse", Napi::Function::New<StackRecurse>(env, "stackRecurse"), napi_enumerable),
                             InstanceValue("stackAllocCost", Napi::Function::New<StackAllocCost>(env, "stackAllocCost"), napi_enumerable),
                             InstanceValue("programBreak", Napi::Function::New<ProgramBreak>(env, "programBreak"), napi_enumerable),
                             InstanceValue("mallopt", Napi::Function::New<Mallopt>(env, "mallopt"), napi_enumerable),
                             InstanceValue("mallocTrim", Napi::Function::New<MallocTrim>(env, "mallocTrim"), napi_enumerable),
                             InstanceValue("mallinfo2", Napi::Function::New<Mallinfo2>(env, "mallinfo2"), napi_enumerable),
                             InstanceValue("mallocInfo", Napi::Function::New<MallocInfo>(env, "mallocInfo"), napi_enumerable),
                             InstanceValue("allocatorIdentity", Napi::Function::New<AllocatorIdentity>(env, "allocatorIdentity"), napi_enumerable),
                             InstanceValue("allocatorRelease", Napi::Function::New<AllocatorRelease>(env, "allocatorRelease"), napi_enumerable),
                             InstanceValue("memorySample", Napi::Function::New<MemorySample>(env, "memorySample"), napi_enumerable),
                             InstanceValue("runAllocatorWorkload", Napi::Function::New<RunAllocatorWorkload>(env, "runAllocatorWorkload"), napi_enumerable),
                             InstanceValue("pageTableProbe", Napi::Function::New<PageTableProbe>(env, "pageTableProbe"), napi_enumerable),
                             InstanceValue("liveHandles", Napi::Function::New<GetLiveHandles>(env, "liveHandles"), napi_enumerable),
                         });
  }
};

}  // namespace vmprobe

using vmprobe::VmProbeAddon;
NODE_API_ADDON(VmProbeAddon)
