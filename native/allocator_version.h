// allocator_version.h — the version a replacement malloc reports about itself, read
// through its own entry point (dlsym), never guessed from the C library's version.
#ifndef VMPROBE_ALLOCATOR_VERSION_H
#define VMPROBE_ALLOCATOR_VERSION_H

#include <string>

namespace vmprobe {

// For `allocator` (a name ReplacementAllocator() returns): jemalloc's
// mallctl("version"), tcmalloc's tc_version(), mimalloc's mi_version(); "" when the
// allocator has no such entry point or it is not found in this process.
std::string ReplacementAllocatorVersion(const char* allocator);

}  // namespace vmprobe

#endif  // VMPROBE_ALLOCATOR_VERSION_H
