// libc.cc — which C library and which malloc this process runs: glibc's version
// (gnu_get_libc_version(3)) and a replacement allocator found among the loaded objects
// (dl_iterate_phdr(3)). heap.cc refuses glibc-only reads under a replacement.
#include "libc.h"

#include <link.h>

#include <cstring>
#include <string>

#include "allocator_identity.h"

#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

namespace vmprobe {

// Whether a known replacement allocator is loaded into this process. Hazard: with
// jemalloc, tcmalloc, mimalloc (...) preloaded — common for Node services — __GLIBC__
// is still defined at build time, but a block has no glibc chunk header, and reading
// the words before a fresh extent could fault. Comparing symbol addresses does not
// work (a non-PIE executable owns the canonical address of malloc), so look at what is
// loaded: any object whose file name names a known allocator.
namespace {

int FindAllocator(struct dl_phdr_info* info, size_t, void* data) {
  static const char* const kAllocators[] = {"jemalloc", "tcmalloc", "mimalloc", "hoard", "tbbmalloc", "scudo", "snmalloc",
                                            "libasan", "libhwasan", "libtsan", "libmsan"};  // sanitizers replace malloc too
  const char* name = info->dlpi_name;
  if (name == nullptr) return 0;
  for (const char* a : kAllocators) {
    if (std::strstr(name, a) != nullptr) {
      *static_cast<const char**>(data) = a;
      return 1;
    }
  }
  return 0;
}

}  // namespace

// The replacement allocator loaded into this process, or nullptr for glibc's own malloc.
const char* ReplacementAllocator() {
  const char* found = nullptr;
  dl_iterate_phdr(FindAllocator, &found);
  return found;
}

// libc() -> { name: 'glibc' | 'unknown', version: string | null, replacementAllocator: string | null,
//            replacementAllocatorVersion: string | null }
Napi::Value Libc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
#ifdef __GLIBC__
  o.Set("name", "glibc");
  o.Set("version", gnu_get_libc_version());
  const char* replacement = ReplacementAllocator();
  o.Set("replacementAllocator", replacement == nullptr ? env.Null() : Napi::String::New(env, replacement));
  const std::string version = ReplacementAllocatorVersion(replacement);
  o.Set("replacementAllocatorVersion", version.empty() ? env.Null() : Napi::String::New(env, version));
#else
  o.Set("name", "unknown");
  o.Set("version", env.Null());
  o.Set("replacementAllocator", env.Null());
  o.Set("replacementAllocatorVersion", env.Null());
#endif
  return o;
}

}  // namespace vmprobe
