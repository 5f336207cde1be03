// layout.h — the addon's own segment probes and the loaded objects' program headers (see layout.cc).
#ifndef VMPROBE_LAYOUT_H
#define VMPROBE_LAYOUT_H

#include <napi.h>

namespace vmprobe {

// layoutFault's targets; constants.cc kFaultTargetTable names them, in this order.
enum class FaultTarget : long { kNull = 0, kSmallInt = 1, kKernel = 2, kTextWrite = 3 };

Napi::Value LayoutAddresses(const Napi::CallbackInfo& info);
Napi::Value LoadedObjects(const Napi::CallbackInfo& info);
Napi::Value SegmentTouch(const Napi::CallbackInfo& info);
Napi::Value LayoutFault(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_LAYOUT_H
