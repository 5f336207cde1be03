// pagetables.cc — VmPTE before and after mmap(2) of an anonymous private range, and
// before and after writing one byte per page of it, `repeats` times, all inside one
// native call. VmPTE is the size of this process's page tables
// (/proc/<pid>/status, fs/proc/task_mmu.c: mm_pgtables_bytes). A plain mmap creates a
// VMA only (mm/mmap.c: mmap_region); page-table pages are allocated by the page-fault
// handler (mm/memory.c: __handle_mm_fault → __pte_alloc). VmPTE is process-wide, so
// another thread mapping memory in the same instant still moves it: the caller gets
// every repeat and judges with their spread.
#include "pagetables.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "args.h"
#include "errors.h"
#include "sysinfo.h"

namespace vmprobe {

namespace {

// VmPTE in bytes, or -1 when the kernel does not report it. Reads into a stack buffer:
// no allocation, no JavaScript.
long long ReadVmPteBytes() {
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[8192];
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
    if (have == sizeof buf - 1) break;
  }
  close(fd);
  buf[have] = '\0';
  const char* at = std::strstr(buf, "\nVmPTE:");
  if (at == nullptr) return -1;
  return std::strtoll(at + 7, nullptr, 10) * 1024;
}

}  // namespace

Napi::Value PageTableProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = ReadOptionsObject(info, 0, "options");
  const size_t page = PageSize();
  const uint64_t sizeBytes = ReadCount(options.Get("sizeBytes"), "sizeBytes", page, uint64_t{1} << 30);
  const uint64_t repeats = ReadOptionalCount(options, "repeats", 5, 1, 1000);
  if (sizeBytes % page != 0) ThrowArgValue(env, "sizeBytes", "must be a whole number of pages (" + std::to_string(page) + " bytes). Received " + std::to_string(sizeBytes));
  if (ReadVmPteBytes() < 0) ThrowUnsupported(env, "this kernel does not report VmPTE in /proc/self/status");
  std::vector<long long> mapDelta;
  std::vector<long long> touchDelta;
  for (uint64_t r = 0; r < repeats; ++r) {
    const long long before = ReadVmPteBytes();
    void* p = mmap(nullptr, sizeBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      const int saved = errno;
      ThrowErrno(env, saved, "mmap", std::to_string(sizeBytes) + " bytes");
    }
    const long long mapped = ReadVmPteBytes();
    volatile char* bytes = static_cast<volatile char*>(p);
    for (uint64_t off = 0; off < sizeBytes; off += page) bytes[off] = 1;
    const long long touched = ReadVmPteBytes();
    munmap(p, sizeBytes);
    mapDelta.push_back(mapped - before);
    touchDelta.push_back(touched - mapped);
  }
  Napi::Array maps = Napi::Array::New(env, mapDelta.size());
  Napi::Array touches = Napi::Array::New(env, touchDelta.size());
  for (size_t i = 0; i < mapDelta.size(); ++i) {
    maps.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(mapDelta[i])));
    touches.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(touchDelta[i])));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("mapDeltaBytes", maps);
  out.Set("touchDeltaBytes", touches);
  return out;
}

}  // namespace vmprobe
