// allocator_version.cc — ReplacementAllocatorVersion (see allocator_version.h).
//
// Looks the entry points up with dlsym(RTLD_DEFAULT): they exist only when the
// allocator is loaded (LD_PRELOAD or linked in), so nothing is called otherwise.
// jemalloc: int mallctl(const char*, void* oldp, size_t* oldlenp, void* newp, size_t)
//   with "version" → const char* (jemalloc(3), MALLCTL NAMESPACE);
// tcmalloc (gperftools): const char* tc_version(int*, int*, const char**);
// mimalloc: int mi_version(void) → major*100 + minor*10 + patch (mimalloc.h).
#include "allocator_version.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstring>

namespace vmprobe {

std::string ReplacementAllocatorVersion(const char* allocator) {
  if (allocator == nullptr) return "";
  if (std::strcmp(allocator, "jemalloc") == 0) {
    using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);
    auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
    if (mallctl == nullptr) mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "je_mallctl"));
    if (mallctl == nullptr) return "";
    const char* version = nullptr;
    size_t length = sizeof version;
    if (mallctl("version", &version, &length, nullptr, 0) != 0 || version == nullptr) return "";
    return version;
  }
  if (std::strcmp(allocator, "tcmalloc") == 0) {
    using TcVersion = const char* (*)(int*, int*, const char**);
    auto tcVersion = reinterpret_cast<TcVersion>(dlsym(RTLD_DEFAULT, "tc_version"));
    if (tcVersion == nullptr) return "";
    int major = 0, minor = 0;
    const char* patch = nullptr;
    const char* text = tcVersion(&major, &minor, &patch);
    std::string v = std::to_string(major) + "." + std::to_string(minor) + (patch != nullptr ? patch : "");
    return text != nullptr && v == "0.0" ? std::string(text) : v;
  }
  if (std::strcmp(allocator, "mimalloc") == 0) {
    using MiVersion = int (*)();
    auto miVersion = reinterpret_cast<MiVersion>(dlsym(RTLD_DEFAULT, "mi_version"));
    if (miVersion == nullptr) return "";
    const int v = miVersion();
    return std::to_string(v / 100) + "." + std::to_string((v % 100) / 10) + "." + std::to_string(v % 10);
  }
  return "";
}

}  // namespace vmprobe
