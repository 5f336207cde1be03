// workloads.cc — the allocator workloads of `vmprobe allocators`, memory samples of the
// child running them, and each allocator's own call that gives free memory back.
//
// The workloads run native threads that call malloc/free (whatever malloc the process
// resolved: glibc's, or a replacement preloaded with LD_PRELOAD). Their bookkeeping —
// the table of live block pointers — is mmap'd here, never malloc'd, so it does not
// sit in the heap being measured. RSS, VSZ and the peak (VmHWM, reset through
// /proc/self/clear_refs "5", proc(5)) are read with open/read into stack buffers, which
// allocate nothing. The release calls are looked up with dlsym(RTLD_DEFAULT): jemalloc's
// mallctl("arena.<MALLCTL_ARENAS_ALL>.purge"), gperftools'
// MallocExtension_ReleaseFreeMemory, mimalloc's mi_collect, glibc's malloc_trim(3).
// Which malloc is in force, and its version: allocator_identity.cc. The workloads run
// only in the child processes of the experiment: they change the malloc state of the
// process.
#include "workloads.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "allocator_identity.h"
#include "args.h"
#include "errors.h"
#include "measure.h"
#include "sysinfo.h"

namespace vmprobe {

namespace {

// Reads a /proc file into `buf` (NUL-terminated); returns the length or -1.
ssize_t ReadSmallFile(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t used = 0;
  while (used + 1 < size) {
    ssize_t n = read(fd, buf + used, size - 1 - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  close(fd);
  buf[used] = '\0';
  return static_cast<ssize_t>(used);
}

struct Sample {
  uint64_t rssBytes = 0;
  uint64_t vszBytes = 0;
  uint64_t peakRssBytes = 0;  // VmHWM
  uint64_t mappings = 0;      // lines of /proc/self/maps
  uint64_t minorFaults = 0;   // getrusage(RUSAGE_SELF): every thread of the process
};

uint64_t StatusKiB(const char* text, const char* key) {
  const char* p = std::strstr(text, key);
  if (p == nullptr) return 0;
  return std::strtoull(p + std::strlen(key), nullptr, 10);
}

uint64_t CountMappings() {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[8192];
  uint64_t lines = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) lines += buf[i] == '\n';
  }
  close(fd);
  return lines;
}

Sample TakeSample() {
  Sample s;
  const uint64_t page = PageSize();
  char statm[256];
  if (ReadSmallFile("/proc/self/statm", statm, sizeof statm) > 0) {
    char* end = nullptr;
    s.vszBytes = std::strtoull(statm, &end, 10) * page;
    s.rssBytes = std::strtoull(end, nullptr, 10) * page;
  }
  char status[8192];
  if (ReadSmallFile("/proc/self/status", status, sizeof status) > 0) s.peakRssBytes = StatusKiB(status, "VmHWM:") * 1024;
  s.mappings = CountMappings();
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  s.minorFaults = static_cast<uint64_t>(ru.ru_minflt);
  return s;
}

// Resets VmHWM to the current RSS (clear_refs "5", Linux >= 4.0). False when refused.
bool ResetPeak() {
  int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

Napi::Object SampleObject(Napi::Env env, const Sample& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("rssBytes", Napi::Number::New(env, static_cast<double>(s.rssBytes)));
  o.Set("vszBytes", Napi::Number::New(env, static_cast<double>(s.vszBytes)));
  o.Set("peakRssBytes", Napi::Number::New(env, static_cast<double>(s.peakRssBytes)));
  o.Set("mappings", Napi::Number::New(env, static_cast<double>(s.mappings)));
  o.Set("minorFaults", Napi::Number::New(env, static_cast<double>(s.minorFaults)));
  return o;
}

// ---- the allocators' own "give free memory back" calls (dlsym: none is linked) ----

using MiCollectFn = void (*)(bool);
using VoidFn = void (*)();

const size_t kMallctlArenasAll = 4096;  // jemalloc 5: MALLCTL_ARENAS_ALL

enum class Release { kNone, kGlibc, kJemalloc, kTcmalloc, kMimalloc };

struct ReleaseOutcome {
  std::string call;
  bool found = false;
  uint64_t elapsedNs = 0;
};

ReleaseOutcome DoRelease(Release which) {
  ReleaseOutcome r;
  const uint64_t t0 = MonotonicNs();
  switch (which) {
    case Release::kNone: r.call = "none"; break;
    case Release::kGlibc:
      r.call = "malloc_trim(0)";
#ifdef __GLIBC__
      malloc_trim(0);
      r.found = true;
#endif
      break;
    case Release::kJemalloc: {
      r.call = "mallctl(\"arena." + std::to_string(kMallctlArenasAll) + ".purge\")";
      if (const MallctlFn mallctl = JemallocMallctl()) {
        const std::string name = "arena." + std::to_string(kMallctlArenasAll) + ".purge";
        r.found = mallctl(name.c_str(), nullptr, nullptr, nullptr, 0) == 0;
      }
      break;
    }
    case Release::kTcmalloc: {
      r.call = "MallocExtension_ReleaseFreeMemory()";
      auto fn = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
      if (fn != nullptr) {
        fn();
        r.found = true;
      }
      break;
    }
    case Release::kMimalloc: {
      r.call = "mi_collect(true)";
      auto fn = reinterpret_cast<MiCollectFn>(dlsym(RTLD_DEFAULT, "mi_collect"));
      if (fn != nullptr) {
        fn(true);
        r.found = true;
      }
      break;
    }
  }
  r.elapsedNs = MonotonicNs() - t0;
  return r;
}

Release ReadRelease(const Napi::Value& v) {
  switch (ReadChoice(v, "release", {"none", "glibc", "jemalloc", "tcmalloc", "mimalloc"})) {
    case 1: return Release::kGlibc;
    case 2: return Release::kJemalloc;
    case 3: return Release::kTcmalloc;
    case 4: return Release::kMimalloc;
    default: return Release::kNone;
  }
}

Napi::Object ReleaseObject(Napi::Env env, const ReleaseOutcome& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("call", Napi::String::New(env, r.call));
  o.Set("found", Napi::Boolean::New(env, r.found));
  o.Set("elapsedNs", Napi::Number::New(env, static_cast<double>(r.elapsedNs)));
  return o;
}

}  // namespace

// allocatorRelease(kind) → { call, found, elapsedNs }: the allocator's own "give free
// memory back" call, looked up with dlsym (found=false when the symbol is absent).
Napi::Value AllocatorRelease(const Napi::CallbackInfo& info) {
  return ReleaseObject(info.Env(), DoRelease(ReadRelease(info[0])));
}

// memorySample({ resetPeak }) → { rssBytes, vszBytes, peakRssBytes, mappings, minorFaults }.
Napi::Value MemorySample(const Napi::CallbackInfo& info) {
  Napi::Object opts = ReadOptionsObject(info, 0, "options");
  if (ReadOptionalBool(opts, "resetPeak", false) && !ResetPeak()) {
    ThrowErrno(info.Env(), errno, "write", "/proc/self/clear_refs");
  }
  return SampleObject(info.Env(), TakeSample());
}

namespace {

enum class Kind { kFragmentation, kLargeBlocks, kSteady };

struct Params {
  Kind kind = Kind::kFragmentation;
  uint64_t threads = 1;
  uint64_t count = 0;       // blocks (fragmentation), iterations (large blocks), operations (steady) per thread
  uint64_t slots = 0;       // steady: live-set slots per thread
  uint64_t keepEvery = 64;  // fragmentation: keep 1 block in keepEvery; large blocks: a survivor every keepEvery iterations
  uint64_t minBytes = 16;
  uint64_t maxBytes = 4096;
  uint64_t survivorBytes = 512;
  uint64_t seed = 1;
  uint64_t pageBytes = 4096;
};

// splitmix64: deterministic per (seed, thread).
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
};

// Log-uniform size in [min, max]: many small blocks, a few large ones.
uint64_t DrawSize(Rng* rng, uint64_t minBytes, uint64_t maxBytes) {
  if (maxBytes <= minBytes) return minBytes;
  const double ratio = static_cast<double>(maxBytes) / static_cast<double>(minBytes);
  double size = static_cast<double>(minBytes) * std::pow(ratio, rng->Unit());
  uint64_t s = static_cast<uint64_t>(size);
  return s < minBytes ? minBytes : (s > maxBytes ? maxBytes : s);
}

// Writes one byte per page and the last byte: every page of the block becomes resident.
void TouchBlock(char* p, uint64_t size, uint64_t page) {
  for (uint64_t off = 0; off < size; off += page) p[off] = 1;
  p[size - 1] = 1;
}

struct Table {
  void** slots = nullptr;
  size_t bytes = 0;
  bool Map(uint64_t count) {
    bytes = static_cast<size_t>((count == 0 ? 1 : count) * sizeof(void*));
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return false;
    slots = static_cast<void**>(m);  // zero-filled by the kernel
    return true;
  }
  void Unmap() {
    if (slots != nullptr) munmap(slots, bytes);
    slots = nullptr;
  }
};

struct Shared;

struct Worker {
  Shared* shared = nullptr;
  uint64_t index = 0;
  Table table;
  uint64_t ops = 0;
  uint64_t liveBytes = 0;
  uint64_t failures = 0;
};

struct Shared {
  Params p;
  // The start gate: threads wait here until every thread exists (go = 1) or creating
  // one failed (go = -1: they return at once, the caller joins them and throws).
  pthread_mutex_t gateLock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t gateOpen = PTHREAD_COND_INITIALIZER;
  int go = 0;
  pthread_barrier_t barrier;  // threads + the calling thread; initialised before the gate opens
};

void OpenGate(Shared* s, int go) {
  pthread_mutex_lock(&s->gateLock);
  s->go = go;
  pthread_cond_broadcast(&s->gateOpen);
  pthread_mutex_unlock(&s->gateLock);
}

// Phase 1: the load (allocate / churn). Phase 2: free all but what the workload keeps.
void LoadPhase(Worker* w) {
  const Params& p = w->shared->p;
  Rng rng{p.seed * 0x100000001B3ULL + w->index + 1};
  void** t = w->table.slots;
  switch (p.kind) {
    case Kind::kFragmentation:
      for (uint64_t i = 0; i < p.count; ++i) {
        const uint64_t size = DrawSize(&rng, p.minBytes, p.maxBytes);
        char* b = static_cast<char*>(std::malloc(size));
        ++w->ops;
        if (b == nullptr) { ++w->failures; continue; }
        TouchBlock(b, size, p.pageBytes);
        t[i] = b;
      }
      break;
    case Kind::kLargeBlocks: {
      uint64_t survivors = 0;
      for (uint64_t i = 0; i < p.count; ++i) {
        const uint64_t size = DrawSize(&rng, p.minBytes, p.maxBytes);
        char* b = static_cast<char*>(std::malloc(size));
        ++w->ops;
        if (b == nullptr) { ++w->failures; continue; }
        TouchBlock(b, size, p.pageBytes);
        if (p.keepEvery != 0 && i % p.keepEvery == 0) {
          char* s = static_cast<char*>(std::malloc(p.survivorBytes));
          ++w->ops;
          if (s == nullptr) ++w->failures;
          else {
            TouchBlock(s, p.survivorBytes, p.pageBytes);
            t[survivors++] = s;
            w->liveBytes += p.survivorBytes;
          }
        }
        std::free(b);
        ++w->ops;
      }
      break;
    }
    case Kind::kSteady:
      for (uint64_t i = 0; i < p.count; ++i) {
        const uint64_t slot = rng.Next() % p.slots;
        if (t[slot] != nullptr) {
          std::free(t[slot]);
          ++w->ops;
        }
        const uint64_t size = DrawSize(&rng, p.minBytes, p.maxBytes);
        char* b = static_cast<char*>(std::malloc(size));
        ++w->ops;
        t[slot] = b;
        if (b == nullptr) { ++w->failures; continue; }
        b[0] = 1;
        b[size - 1] = 1;
      }
      break;
  }
}

void FreePhase(Worker* w) {
  const Params& p = w->shared->p;
  void** t = w->table.slots;
  if (p.kind == Kind::kFragmentation) {
    Rng rng{p.seed * 0x100000001B3ULL + w->index + 1};
    for (uint64_t i = 0; i < p.count; ++i) {
      const uint64_t size = DrawSize(&rng, p.minBytes, p.maxBytes);  // replays the sizes
      if (t[i] == nullptr) continue;
      if (p.keepEvery != 0 && i % p.keepEvery == 0) {
        w->liveBytes += size;
        continue;
      }
      std::free(t[i]);
      t[i] = nullptr;
      ++w->ops;
    }
  } else if (p.kind == Kind::kSteady) {
    for (uint64_t i = 0; i < p.slots; ++i) {
      if (t[i] != nullptr) {
        std::free(t[i]);
        t[i] = nullptr;
        ++w->ops;
      }
    }
  }
}

void* WorkerMain(void* arg) {
  auto* w = static_cast<Worker*>(arg);
  Shared* s = w->shared;
  pthread_mutex_lock(&s->gateLock);
  while (s->go == 0) pthread_cond_wait(&s->gateOpen, &s->gateLock);
  const int go = s->go;
  pthread_mutex_unlock(&s->gateLock);
  if (go < 0) return nullptr;
  pthread_barrier_wait(&w->shared->barrier);  // start together
  LoadPhase(w);
  FreePhase(w);
  pthread_barrier_wait(&w->shared->barrier);  // load and free done: the caller samples
  pthread_barrier_wait(&w->shared->barrier);  // the caller sampled and released: exit
  return nullptr;
}

uint64_t TableSlots(const Params& p) {
  switch (p.kind) {
    case Kind::kFragmentation: return p.count;
    case Kind::kLargeBlocks: return p.keepEvery == 0 ? 1 : p.count / p.keepEvery + 1;
    case Kind::kSteady: return p.slots;
  }
  return 1;
}

}  // namespace

// runAllocatorWorkload({ kind, threads, count, slots, keepEvery, minBytes, maxBytes,
//   survivorBytes, seed, release }) → { baseline, peakRssBytes, retained, released,
//   release, liveBytes, ops, loadElapsedNs, allocationFailures }. Samples are
//   memorySample()'s shape. The kept blocks are freed before returning.
Napi::Value RunAllocatorWorkload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = ReadOptionsObject(info, 0, "options");
  Params p;
  const size_t kind = ReadChoice(opts.Get("kind"), "kind", {"fragmentation", "large-blocks", "steady"});
  p.kind = kind == 0 ? Kind::kFragmentation : (kind == 1 ? Kind::kLargeBlocks : Kind::kSteady);
  p.threads = ReadCount(opts.Get("threads"), "threads", 1, 256);
  p.count = ReadCount(opts.Get("count"), "count", 1, 1ULL << 32);
  p.slots = ReadOptionalCount(opts, "slots", 1, 1, 1ULL << 28);
  p.keepEvery = ReadOptionalCount(opts, "keepEvery", 64, 0, 1ULL << 32);
  p.minBytes = ReadCount(opts.Get("minBytes"), "minBytes", 1, 1ULL << 32);
  p.maxBytes = ReadCount(opts.Get("maxBytes"), "maxBytes", p.minBytes, 1ULL << 32);
  p.survivorBytes = ReadOptionalCount(opts, "survivorBytes", 512, 1, 1ULL << 20);
  p.seed = ReadOptionalCount(opts, "seed", 1, 0, kMaxSafeInteger);
  const Release release = ReadRelease(opts.Get("release"));
  p.pageBytes = PageSize();

  // Bookkeeping, all mmap'd: the shared block, the workers, their tables.
  const size_t workersBytes = sizeof(Worker) * p.threads + sizeof(Shared);
  void* region = mmap(nullptr, workersBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) ThrowErrno(env, errno, "mmap", "the workload's bookkeeping");
  auto* shared = new (region) Shared();
  shared->p = p;
  auto* workers = reinterpret_cast<Worker*>(static_cast<char*>(region) + sizeof(Shared));
  for (uint64_t i = 0; i < p.threads; ++i) {
    new (&workers[i]) Worker();
    workers[i].shared = shared;
    workers[i].index = i;
    if (!workers[i].table.Map(TableSlots(p))) {
      const int err = errno;
      for (uint64_t j = 0; j < i; ++j) workers[j].table.Unmap();
      munmap(region, workersBytes);
      ThrowErrno(env, err, "mmap", "a workload table");
    }
  }
  ResetPeak();
  const Sample baseline = TakeSample();
  pthread_t* tids = static_cast<pthread_t*>(mmap(nullptr, sizeof(pthread_t) * p.threads, PROT_READ | PROT_WRITE,
                                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  uint64_t started = 0;
  int createErr = 0;
  if (tids == MAP_FAILED) {
    createErr = errno;
  } else {
    for (; started < p.threads; ++started) {
      createErr = pthread_create(&tids[started], nullptr, WorkerMain, &workers[started]);
      if (createErr != 0) break;
    }
  }
  if (started < p.threads) {
    // Could not start every thread: the started ones are parked at the gate, allocated
    // nothing; release them, join them, free the bookkeeping and throw.
    OpenGate(shared, -1);
    for (uint64_t i = 0; i < started; ++i) pthread_join(tids[i], nullptr);
    for (uint64_t i = 0; i < p.threads; ++i) workers[i].table.Unmap();
    if (tids != MAP_FAILED) munmap(tids, sizeof(pthread_t) * p.threads);
    munmap(region, workersBytes);
    ThrowErrno(env, createErr, "pthread_create", "a workload thread");
  }
  pthread_barrier_init(&shared->barrier, nullptr, static_cast<unsigned>(p.threads + 1));
  OpenGate(shared, 1);
  pthread_barrier_wait(&shared->barrier);  // start
  const uint64_t t0 = MonotonicNs();
  pthread_barrier_wait(&shared->barrier);  // load and free done
  const uint64_t loadNs = MonotonicNs() - t0;
  const Sample retained = TakeSample();
  const ReleaseOutcome rel = DoRelease(release);
  const Sample released = TakeSample();
  pthread_barrier_wait(&shared->barrier);  // let them exit
  for (uint64_t i = 0; i < p.threads; ++i) pthread_join(tids[i], nullptr);

  uint64_t ops = 0, liveBytes = 0, failures = 0;
  for (uint64_t i = 0; i < p.threads; ++i) {
    ops += workers[i].ops;
    liveBytes += workers[i].liveBytes;
    failures += workers[i].failures;
    const uint64_t slots = TableSlots(p);
    for (uint64_t j = 0; j < slots; ++j) std::free(workers[i].table.slots[j]);  // the kept blocks
    workers[i].table.Unmap();
  }
  pthread_barrier_destroy(&shared->barrier);
  munmap(tids, sizeof(pthread_t) * p.threads);
  munmap(region, workersBytes);

  Napi::Object o = Napi::Object::New(env);
  o.Set("baseline", SampleObject(env, baseline));
  o.Set("peakRssBytes", Napi::Number::New(env, static_cast<double>(retained.peakRssBytes)));
  o.Set("retained", SampleObject(env, retained));
  o.Set("released", SampleObject(env, released));
  o.Set("release", ReleaseObject(env, rel));
  o.Set("liveBytes", Napi::Number::New(env, static_cast<double>(liveBytes)));
  o.Set("ops", Napi::Number::New(env, static_cast<double>(ops)));
  o.Set("loadElapsedNs", Napi::Number::New(env, static_cast<double>(loadNs)));
  o.Set("allocationFailures", Napi::Number::New(env, static_cast<double>(failures)));
  return o;
}

}  // namespace vmprobe
