// stack.h — the calling thread's stack: bounds, a sampled recursion, allocation cost (see stack.cc).
#ifndef VMPROBE_STACK_H
#define VMPROBE_STACK_H

#include <napi.h>

namespace vmprobe {

// threadStack() -> { stackPointer, stackLow, stackTop, stackSizeBytes, guardSizeBytes, inUseBytes, mainThread }
Napi::Value ThreadStack(const Napi::CallbackInfo& info);
// stackRecurse({ frameBytes, variant, fd, sampleEveryFrames, stopAtDepthBytes, untilFault })
Napi::Value StackRecurse(const Napi::CallbackInfo& info);
// stackAllocCost({ kind, sizeBytes, iterations }) -> { minorFaults, majorFaults, elapsedNs, iterations }
Napi::Value StackAllocCost(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_STACK_H
