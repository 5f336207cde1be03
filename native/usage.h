// usage.h — resource usage, limits, sysconf and libc identity (see usage.cc).
#ifndef VMPROBE_USAGE_H
#define VMPROBE_USAGE_H

#include <napi.h>

namespace vmprobe {

Napi::Value GetRusage(const Napi::CallbackInfo& info);
Napi::Value GetRlimit(const Napi::CallbackInfo& info);
Napi::Value SetRlimit(const Napi::CallbackInfo& info);
Napi::Value Sysconf(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_USAGE_H
