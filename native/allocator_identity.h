// allocator_identity.h — which malloc this process runs, as the allocators tell it
// themselves: the loaded object that defines malloc, and the version a replacement
// malloc reports through its own entry point (dlsym), never guessed from the C
// library's version.
#ifndef VMPROBE_ALLOCATOR_IDENTITY_H
#define VMPROBE_ALLOCATOR_IDENTITY_H

#include <napi.h>

#include <cstddef>
#include <string>

namespace vmprobe {

// jemalloc(3): int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen).
using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);

// jemalloc's mallctl (je_mallctl in a prefixed build), or nullptr when no jemalloc is loaded.
MallctlFn JemallocMallctl();

// For `allocator` (a name ReplacementAllocator() returns, or "jemalloc", "tcmalloc",
// "mimalloc"): jemalloc's mallctl("version"), tcmalloc's tc_version() as
// major.minor+patch, mimalloc's mi_version() as major.minor.patch; "" when the
// allocator has no such entry point or it is not loaded in this process.
std::string ReplacementAllocatorVersion(const char* allocator);

// JS: allocatorIdentity() → { mallocProvider, glibcVersion, jemallocVersion,
//   jemallocDirtyDecayMs, tcmallocVersion, mimallocVersion } (strings/numbers or null).
Napi::Value AllocatorIdentity(const Napi::CallbackInfo& info);

}  // namespace vmprobe

#endif  // VMPROBE_ALLOCATOR_IDENTITY_H
