// allocator_identity.cc — the malloc in force and each allocator's own version (see
// allocator_identity.h).
//
// Looks the entry points up with dlsym(RTLD_DEFAULT): they exist only when the
// allocator is loaded (LD_PRELOAD or linked in), so nothing is called otherwise; none
// of them is linked. jemalloc: mallctl("version") → const char* and
// mallctl("opt.dirty_decay_ms") → ssize_t (jemalloc(3), MALLCTL NAMESPACE); tcmalloc
// (gperftools): const char* tc_version(int*, int*, const char**); mimalloc:
// int mi_version(void) → major*100 + minor*10 + patch (mimalloc.h). The provider of
// malloc is found with dl_iterate_phdr(3), dlopen(RTLD_NOLOAD) and dladdr(3); glibc's
// own version with gnu_get_libc_version(3).
#include "allocator_identity.h"

#include <dlfcn.h>
#include <link.h>
#include <sys/types.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#include <cstdint>
#include <cstring>

namespace vmprobe {

MallctlFn JemallocMallctl() {
  auto mallctl = reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl"));
  if (mallctl == nullptr) mallctl = reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "je_mallctl"));
  return mallctl;
}

std::string ReplacementAllocatorVersion(const char* allocator) {
  if (allocator == nullptr) return "";
  if (std::strcmp(allocator, "jemalloc") == 0) {
    const MallctlFn mallctl = JemallocMallctl();
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
    const int v = miVersion();  // e.g. 209 for 2.0.9
    return std::to_string(v / 100) + "." + std::to_string((v % 100) / 10) + "." + std::to_string(v % 10);
  }
  return "";
}

namespace {

// The first loaded object (load order = the global lookup scope's order, which puts
// LD_PRELOAD objects right after the executable) that itself defines `malloc`.
int FindMallocProvider(struct dl_phdr_info* info, size_t, void* data) {
  auto* found = static_cast<const char**>(data);
  const char* name = info->dlpi_name;
  if (name == nullptr || name[0] == '\0') return 0;  // the executable, the vDSO
  void* handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return 0;
  void* sym = dlsym(handle, "malloc");
  Dl_info where;
  const bool own = sym != nullptr && dladdr(sym, &where) != 0 &&
                   reinterpret_cast<uintptr_t>(where.dli_fbase) == static_cast<uintptr_t>(info->dlpi_addr);
  dlclose(handle);
  if (!own) return 0;
  *found = name;
  return 1;
}

Napi::Value VersionOrNull(Napi::Env env, const char* allocator) {
  const std::string v = ReplacementAllocatorVersion(allocator);
  return v.empty() ? env.Null() : Napi::String::New(env, v);
}

}  // namespace

Napi::Value AllocatorIdentity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const char* provider = nullptr;
  dl_iterate_phdr(FindMallocProvider, &provider);
  o.Set("mallocProvider", provider == nullptr ? env.Null() : Napi::String::New(env, provider));
#ifdef __GLIBC__
  o.Set("glibcVersion", Napi::String::New(env, gnu_get_libc_version()));
#else
  o.Set("glibcVersion", env.Null());
#endif
  o.Set("jemallocVersion", VersionOrNull(env, "jemalloc"));
  Napi::Value decay = env.Null();
  if (const MallctlFn mallctl = JemallocMallctl()) {
    ssize_t decayMs = 0;
    size_t length = sizeof decayMs;
    if (mallctl("opt.dirty_decay_ms", &decayMs, &length, nullptr, 0) == 0) decay = Napi::Number::New(env, static_cast<double>(decayMs));
  }
  o.Set("jemallocDirtyDecayMs", decay);
  o.Set("tcmallocVersion", VersionOrNull(env, "tcmalloc"));
  o.Set("mimallocVersion", VersionOrNull(env, "mimalloc"));
  return o;
}

}  // namespace vmprobe
