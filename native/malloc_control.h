// malloc_control.h — the program break and glibc's malloc controls (see malloc_control.cc).
#ifndef VMPROBE_MALLOC_CONTROL_H
#define VMPROBE_MALLOC_CONTROL_H

#include <napi.h>

namespace vmprobe {

Napi::Value ProgramBreak(const Napi::CallbackInfo& info);
Napi::Value Mallopt(const Napi::CallbackInfo& info);
Napi::Value MallocTrim(const Napi::CallbackInfo& info);
Napi::Value Mallinfo2(const Napi::CallbackInfo& info);
Napi::Value MallocInfo(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_MALLOC_CONTROL_H
