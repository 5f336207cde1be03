// libc.h — the C library and the malloc in force in this process.
#ifndef VMPROBE_LIBC_H
#define VMPROBE_LIBC_H

#include <napi.h>

namespace vmprobe {

// The replacement malloc loaded into this process (jemalloc, tcmalloc, mimalloc, a
// sanitizer runtime, ...), by the name of the object that provides it, or nullptr when
// glibc's own malloc is in force.
const char* ReplacementAllocator();

// JS: libc() -> { name: 'glibc' | 'unknown', version: string | null, replacementAllocator: string | null }
Napi::Value Libc(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_LIBC_H
