// pagecache.h — advice about a file's page cache (see pagecache.cc).
#ifndef VMPROBE_PAGECACHE_H
#define VMPROBE_PAGECACHE_H

#include <napi.h>

namespace vmprobe {

Napi::Value Fadvise(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_PAGECACHE_H
