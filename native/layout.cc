// layout.cc — where this addon's own segments live, what the loader mapped, and one
// measured touch of the addon's own .data/.bss pages.
//
// Follows dl_iterate_phdr(3), dladdr(3), elf(5) (PT_LOAD, PT_GNU_RELRO, p_flags),
// getrusage(2). Addresses go to JS as bigint for display only: nothing here reads or
// writes an address JS gives. SegmentTouch touches pages of two arrays this file owns
// (the caller picks a page index, bounds-checked against the array); LayoutFault
// dereferences one of four fixed targets picked by NAME and exists to kill the
// process that calls it — vmprobe calls it only in a child task (lib/experiments/
// layout/tasks.ts, through lib/native/child-only.ts) and lib/index.ts does not export it.
#include "layout.h"

#include "child_only.h"

#include <cerrno>

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "constants.h"
#include "measure.h"
#include "sysinfo.h"
#include "touch.h"

namespace vmprobe {

namespace {

// The probe objects. They are globals on purpose: their addresses ARE the measurement
// (a global's segment is fixed at link time), they hold no per-environment state, and
// every worker sees the same ones, as every thread of a process does.
// .data: initialised to non-zero, so the whole array is stored in the file.
constexpr size_t kDataProbeBytes = 256 * 1024;
__attribute__((used, aligned(64))) uint8_t gDataProbe[kDataProbeBytes] = {1};
// .bss: a small zero global and an 8 MiB zero array whose pages are its own.
__attribute__((used)) int gZeroProbe;
constexpr size_t kBssProbeBytes = 8 * 1024 * 1024;
__attribute__((used, aligned(64))) uint8_t gBssProbe[kBssProbeBytes];
// .rodata: a string literal.
const char* const kRodataProbe = "vmprobe: a string literal in .rodata";

uint64_t Addr(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

// The whole pages inside [base, base + size): first page address and count.
struct PageSpan {
  uint8_t* first;
  size_t pages;
};
PageSpan WholePages(uint8_t* base, size_t size, size_t pageSize) {
  const uintptr_t start = (reinterpret_cast<uintptr_t>(base) + pageSize - 1) / pageSize * pageSize;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(base) + size) / pageSize * pageSize;
  return {reinterpret_cast<uint8_t*>(start), end > start ? (end - start) / pageSize : 0};
}


struct Segment {
  uint32_t type;
  uint32_t flags;
  uint64_t vaddr;  // absolute: load base + p_vaddr
  uint64_t fileSizeBytes;
  uint64_t memSizeBytes;
  uint64_t offsetBytes;
  uint64_t alignBytes;
};
struct LoadedObject {
  std::string name;
  uint64_t base;
  std::vector<Segment> segments;
};

struct Collected {
  std::vector<LoadedObject> objects;
  bool outOfMemory = false;
};

// Hazard: dl_iterate_phdr holds the loader's lock while it calls back; an exception
// unwinding through glibc would leave it held (later dlopen calls deadlock). So nothing
// may escape: a failed allocation stops the walk and is reported after it.
int CollectObject(struct dl_phdr_info* info, size_t, void* data) {
  auto* collected = static_cast<Collected*>(data);
  try {
    LoadedObject o;
    o.name = info->dlpi_name != nullptr ? info->dlpi_name : "";
    o.base = static_cast<uint64_t>(info->dlpi_addr);
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
      const ElfW(Phdr)& ph = info->dlpi_phdr[i];
      if (ph.p_type != PT_LOAD && ph.p_type != PT_GNU_RELRO && ph.p_type != PT_TLS) continue;
      o.segments.push_back({ph.p_type, ph.p_flags, o.base + ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_offset, ph.p_align});
    }
    collected->objects.push_back(std::move(o));
    return 0;
  } catch (...) {
    collected->outOfMemory = true;
    return 1;
  }
}

const char* SegmentTypeName(uint32_t type) {
  switch (type) {
    case PT_LOAD: return "load";
    case PT_GNU_RELRO: return "relro";
    default: return "tls";
  }
}

std::string FlagsText(uint32_t flags) {
  std::string s = "---";
  if (flags & PF_R) s[0] = 'r';
  if (flags & PF_W) s[1] = 'w';
  if (flags & PF_X) s[2] = 'x';
  return s;
}

// Keeps the compiler from knowing the address, so a NULL dereference stays a load and
// is not turned into a trap instruction (SIGILL) by the optimiser.
uintptr_t Opaque(uintptr_t a) {
  asm volatile("" : "+r"(a));
  return a;
}

constexpr uintptr_t kSmallIntAddress = 0x40;  // a field of a struct reached through a NULL pointer

uintptr_t KernelHalfAddress() {
#if defined(__x86_64__)
  return 0xffffffff81000000ULL;  // where x86-64 links the kernel image (before KASLR slides it)
#elif defined(__aarch64__)
  return 0xffff800080000000ULL;  // inside arm64's kernel half (TTBR1)
#else
  return static_cast<uintptr_t>(1) << (sizeof(uintptr_t) * 8 - 1);
#endif
}

}  // namespace

// layoutAddresses() -> where this addon's probe objects and a stack local are.
Napi::Value LayoutAddresses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  volatile int stackLocal = 0;
  const size_t pageSize = PageSize();
  Napi::Object o = Napi::Object::New(env);
  o.Set("text", Napi::BigInt::New(env, Addr(reinterpret_cast<const void*>(&LayoutAddresses))));
  o.Set("rodata", Napi::BigInt::New(env, Addr(kRodataProbe)));
  o.Set("data", Napi::BigInt::New(env, Addr(gDataProbe)));
  o.Set("bss", Napi::BigInt::New(env, Addr(&gZeroProbe)));
  o.Set("bssArray", Napi::BigInt::New(env, Addr(gBssProbe)));
  o.Set("stack", Napi::BigInt::New(env, Addr(const_cast<int*>(&stackLocal))));
  o.Set("pointerBits", Napi::Number::New(env, static_cast<double>(sizeof(void*) * 8)));
  o.Set("dataArrayBytes", Napi::Number::New(env, static_cast<double>(kDataProbeBytes)));
  o.Set("bssArrayBytes", Napi::Number::New(env, static_cast<double>(kBssProbeBytes)));
  o.Set("dataPages", Napi::Number::New(env, static_cast<double>(WholePages(gDataProbe, kDataProbeBytes, pageSize).pages)));
  o.Set("bssPages", Napi::Number::New(env, static_cast<double>(WholePages(gBssProbe, kBssProbeBytes, pageSize).pages)));
  // The fixed addresses layoutFault() would access, so a child can report them before dying.
  Napi::Object targets = Napi::Object::New(env);
  targets.Set("null", Napi::BigInt::New(env, static_cast<uint64_t>(0)));
  targets.Set("small-int", Napi::BigInt::New(env, static_cast<uint64_t>(kSmallIntAddress)));
  targets.Set("kernel", Napi::BigInt::New(env, static_cast<uint64_t>(KernelHalfAddress())));
  targets.Set("text-write", Napi::BigInt::New(env, Addr(reinterpret_cast<const void*>(&LayoutFault))));
  o.Set("faultTargets", targets);
  Dl_info dl;
  if (dladdr(reinterpret_cast<const void*>(&LayoutAddresses), &dl) != 0 && dl.dli_fname != nullptr) {
    o.Set("addonPath", dl.dli_fname);
    o.Set("addonBase", Napi::BigInt::New(env, Addr(dl.dli_fbase)));
  } else {
    o.Set("addonPath", env.Null());
    o.Set("addonBase", env.Null());
  }
  return o;
}

// loadedObjects() -> [{ name, base, segments: [{ type, flags, vaddr, fileSizeBytes, memSizeBytes, offsetBytes, alignBytes }] }]
Napi::Value LoadedObjects(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Collected collected;
  dl_iterate_phdr(CollectObject, &collected);
  if (collected.outOfMemory) ThrowErrno(env, ENOMEM, "dl_iterate_phdr", "out of memory collecting program headers");
  const std::vector<LoadedObject>& objects = collected.objects;
  Napi::Array out = Napi::Array::New(env, objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    const LoadedObject& lo = objects[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", lo.name);
    o.Set("base", Napi::BigInt::New(env, lo.base));
    Napi::Array segs = Napi::Array::New(env, lo.segments.size());
    for (size_t j = 0; j < lo.segments.size(); ++j) {
      const Segment& s = lo.segments[j];
      Napi::Object so = Napi::Object::New(env);
      so.Set("type", SegmentTypeName(s.type));
      so.Set("flags", FlagsText(s.flags));
      so.Set("vaddr", Napi::BigInt::New(env, s.vaddr));
      so.Set("fileSizeBytes", Napi::Number::New(env, static_cast<double>(s.fileSizeBytes)));
      so.Set("memSizeBytes", Napi::Number::New(env, static_cast<double>(s.memSizeBytes)));
      so.Set("offsetBytes", Napi::Number::New(env, static_cast<double>(s.offsetBytes)));
      so.Set("alignBytes", Napi::Number::New(env, static_cast<double>(s.alignBytes)));
      segs.Set(j, so);
    }
    o.Set("segments", segs);
    out.Set(i, o);
  }
  return out;
}

// segmentTouch(segment: 'data' | 'bss', firstPage, pages, mode: 'read' | 'write')
// Touches one byte of each whole page [firstPage, firstPage + pages) of the probe
// array, faults counted around the loop (RUSAGE_THREAD).
Napi::Value SegmentTouch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool bss = ReadChoice(info[0], "segment", {"data", "bss"}) == 1;
  const size_t pageSize = PageSize();
  const PageSpan span = bss ? WholePages(gBssProbe, kBssProbeBytes, pageSize) : WholePages(gDataProbe, kDataProbeBytes, pageSize);
  if (span.pages == 0) ThrowUnsupported(env, "the probe array holds no whole page at this page size");
  const size_t firstPage = ReadCount(info[1], "firstPage", 0, span.pages - 1);
  const size_t pages = ReadCount(info[2], "pages", 1, span.pages - firstPage);
  const bool write = ReadChoice(info[3], "mode", {"read", "write"}) == 1;
  TouchResult r = TouchRange(span.first, firstPage * pageSize, (pages - 1) * pageSize + 1, pageSize, write, pageSize);
  Napi::Object o = TouchResultToJs(env, r);
  o.Set("address", Napi::BigInt::New(env, Addr(span.first + firstPage * pageSize)));
  return o;
}

// layoutFault(target: 'null' | 'small-int' | 'kernel' | 'text-write')
// Reads address 0, reads address 0x40, reads a kernel-half address, or writes one byte
// of this function's own code. Each is expected to kill the process with SIGSEGV; if
// it does not, returns what happened so the caller can report a survival.
Napi::Value LayoutFault(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const FaultTarget target = static_cast<FaultTarget>(ReadNamed(info[0], "target", kFaultTargetTable).value);
  RequireChildTask(env, "layoutFault()");
  Napi::Object o = Napi::Object::New(env);
  uintptr_t address = 0;
  switch (target) {
    case FaultTarget::kNull: address = 0; break;
    case FaultTarget::kSmallInt: address = kSmallIntAddress; break;
    case FaultTarget::kKernel: address = KernelHalfAddress(); break;
    case FaultTarget::kTextWrite: address = reinterpret_cast<uintptr_t>(&LayoutFault); break;
  }
  o.Set("address", Napi::BigInt::New(env, static_cast<uint64_t>(address)));
  volatile uint8_t* p = reinterpret_cast<volatile uint8_t*>(Opaque(address));
  if (target == FaultTarget::kTextWrite) {
    const uint8_t same = *p;
    *p = same;  // rewrite the byte it already holds: if text were writable, nothing changes
    o.Set("survived", "wrote");
  } else {
    o.Set("survived", "read");
    o.Set("value", Napi::Number::New(env, *p));
  }
  return o;
}

}  // namespace vmprobe
