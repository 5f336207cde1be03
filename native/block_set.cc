// block_set.cc — BlockSet (see block_set.h): allocate N blocks in one call, free a
// selection (index, range, every k-th, all but one in k) in one call, read their chunk
// flags together, close idempotently; a forgotten set is freed by its finalizer.
//
// Follows malloc(3), free(3), malloc_usable_size(3), mmap(2), mincore(2) and glibc's
// malloc/malloc.c for the chunk size word (IS_MMAPPED 0x2, NON_MAIN_ARENA 0x4).
// Hazards: the tables are mmapped, not malloc'd (the measured heap holds nothing of
// ours between blocks); JS never passes an address to free — only indices into the
// table; a chunk header is read only from a block of this set while it is live, and
// never when another allocator replaces glibc's (its blocks have no such header).
#include "block_set.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "args.h"
#include "errors.h"
#include "glibc_malloc.h"
#include "libc.h"
#include "live.h"
#include "residency.h"
#include "sysinfo.h"

namespace vmprobe {

namespace {

constexpr size_t kMaxPattern = 4096;
constexpr size_t kMaxBlocks = size_t{1} << 26;  // 64 Mi blocks: a 1 GiB pointer table
constexpr size_t kMaxBases = 64;                // distinct arena-heap bases reported

}  // namespace

Napi::Function BlockSet::Define(Napi::Env env) {
  return DefineClass(env, "BlockSet",
                     {
                         InstanceMethod<&BlockSet::Free>("free"),
                         InstanceMethod<&BlockSet::Classify>("classify"),
                         InstanceMethod<&BlockSet::Block>("block"),
                         InstanceMethod<&BlockSet::Residency>("residency"),
                         ReleaseMethod("close"),
                         InstanceAccessor<&BlockSet::GetCount>("count"),
                         InstanceAccessor<&BlockSet::GetLiveCount>("liveCount"),
                         InstanceAccessor<&BlockSet::GetRequestedBytes>("requestedBytes"),
                         InstanceAccessor<&BlockSet::GetLiveRequestedBytes>("liveRequestedBytes"),
                         ClosedAccessor(),
                         CreationAccessor(),
                         InstanceAccessor<&BlockSet::GetDrainedTopBytes>("drainedTopBytes"),
                     });
}

// new BlockSet({ count, sizesBytes: number[], fill, drainTop })
BlockSet::BlockSet(const Napi::CallbackInfo& info) : Handle<BlockSet>(info) {
  Construct(info, [&] { Allocate(info); }, [this] { Release(); });
}

// The constructor's work; on a throw, Release() frees the blocks made so far, the
// fillers and the tables.
void BlockSet::Allocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pageSize_ = PageSize();
  Napi::Object opts = ReadOptionsObject(info, 0, "options");
  count_ = ReadCount(opts.Get("count"), "count", 1, kMaxBlocks);
  Napi::Value sizes = opts.Get("sizesBytes");
  if (!sizes.IsArray()) ThrowArgType(env, "sizesBytes", "an array of numbers", sizes);
  Napi::Array sizeArray = sizes.As<Napi::Array>();
  patternLength_ = sizeArray.Length();
  if (patternLength_ < 1 || patternLength_ > kMaxPattern) {
    ThrowOutOfRange(env, "sizesBytes.length", "an integer >= 1 and <= " + std::to_string(kMaxPattern), std::to_string(patternLength_));
  }
  const bool fill = ReadOptionalBool(opts, "fill", false);
  const bool drainTop = ReadOptionalBool(opts, "drainTop", false);

  // The tables: one private anonymous mapping, rounded up to whole pages.
  const size_t wanted = count_ * sizeof(void*) + patternLength_ * sizeof(uint64_t);
  tableBytes_ = (wanted + pageSize_ - 1) / pageSize_ * pageSize_;
  void* t = mmap(nullptr, tableBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (t == MAP_FAILED) {
    int err = errno;
    ThrowErrno(env, err, "mmap", std::to_string(tableBytes_) + " bytes for the block table");
  }
  table_ = t;
  pointers_ = static_cast<void**>(t);
  pattern_ = reinterpret_cast<uint64_t*>(static_cast<char*>(t) + count_ * sizeof(void*));
  for (size_t i = 0; i < patternLength_; ++i) {
    pattern_[i] = ReadCount(sizeArray.Get(static_cast<uint32_t>(i)), "sizesBytes[i]", 1, kMaxSafeInteger);
  }
  for (size_t i = 0; i < count_; ++i) requestedBytes_ += SizeOf(i);
  if (drainTop) fillers_.Drain(env);

  // The measured loop: nothing but malloc (and the fill) between the two clock reads.
  FaultClock clock;
  size_t made = 0;
  for (; made < count_; ++made) {
    const size_t size = SizeOf(made);
    void* p = malloc(size);
    if (p == nullptr) break;
    if (fill) std::memset(p, 0xa5, size);
    pointers_[made] = p;
  }
  creation_ = clock.Elapsed();
  if (made < count_) {
    int err = errno == 0 ? ENOMEM : errno;
    const size_t size = SizeOf(made);
    ThrowErrno(env, err, "malloc", "block " + std::to_string(made) + " of " + std::to_string(count_) + " (" + std::to_string(size) + " bytes)");
  }
  liveCount_ = count_;
  liveRequestedBytes_ = requestedBytes_;
  LiveHandles().blockSets++;
  registered_ = true;
}

BlockSet::~BlockSet() { Release(); }

void BlockSet::Release() {
  if (table_ == nullptr) return;
  if (registered_) LiveHandles().blockSets--;
  registered_ = false;
  for (size_t i = 0; i < count_; ++i) {
    if (pointers_[i] != nullptr) free(pointers_[i]);
    pointers_[i] = nullptr;
  }
  fillers_.FreeAll();
  munmap(table_, tableBytes_);
  table_ = nullptr;
  pointers_ = nullptr;
  pattern_ = nullptr;
  liveCount_ = 0;
  liveRequestedBytes_ = 0;
}

// free(start, end, step, phase, keepSelected) → { freedBlocks, freedBytes, minorFaults,
// majorFaults, elapsedNs }. The selection is every index i in [start, end) with
// (i - start) % step == phase; keepSelected frees the rest of the range instead (all
// but one in k). Blocks already freed are skipped. One loop of free(3), timed inside.
Napi::Value BlockSet::Free(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const size_t start = ReadCount(info[0], "start", 0, count_);
  const size_t end = ReadCount(info[1], "end", start, count_);
  const size_t step = ReadCount(info[2], "step", 1, kMaxBlocks);
  const size_t phase = ReadCount(info[3], "phase", 0, step - 1);
  const bool keepSelected = ReadBool(info[4], "keepSelected");
  size_t freed = 0;
  uint64_t freedBytes = 0;
  FaultClock clock;
  for (size_t i = start; i < end; ++i) {
    const bool selected = (i - start) % step == phase;
    if (selected == keepSelected || pointers_[i] == nullptr) continue;
    free(pointers_[i]);
    pointers_[i] = nullptr;
    ++freed;
    freedBytes += SizeOf(i);
  }
  Counters c = clock.Elapsed();
  liveCount_ -= freed;
  liveRequestedBytes_ -= freedBytes;
  Napi::Object o = CountersToJs(env, c);
  o.Set("freedBlocks", Napi::Number::New(env, static_cast<double>(freed)));
  o.Set("freedBytes", Napi::Number::New(env, static_cast<double>(freedBytes)));
  return o;
}

// classify(heapStart, programBreak, alignBytes) → the live blocks by two witnesses at
// once: the chunk flags (glibc's size word) and the address (inside [heapStart,
// programBreak) = the brk heap). { liveBlocks, usableBytes, flags: {brk, mmap,
// threadArena}, agreed: {brk, mmap, threadArena}, disputed, lowAddress, highEnd,
// alignedBases, alignedBasesTruncated } — alignedBases: the distinct addresses
// (block & ~(alignBytes - 1)) of thread-arena blocks, i.e. their heaps' starts when
// alignBytes is the arena heap size (0: not computed).
Napi::Value BlockSet::Classify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const uint64_t heapStart = ReadAddress(info[0], "heapStart");
  const uint64_t programBreak = ReadAddress(info[1], "programBreak");
  const uint64_t alignBytes = ReadCount(info[2], "alignBytes", 0, uint64_t{1} << 40);
  if (alignBytes != 0 && (alignBytes & (alignBytes - 1)) != 0) ThrowArgValue(env, "alignBytes", "must be 0 or a power of two. Received " + std::to_string(alignBytes));
#ifdef __GLIBC__
  if (const char* other = ReplacementAllocator())
    ThrowUnsupported(env, std::string("classify() reads glibc's chunk headers, but ") + other + " is loaded in this process");
  size_t flags[3] = {0, 0, 0};  // brk, mmap, thread arena
  size_t agreed[3] = {0, 0, 0};
  size_t disputed = 0;
  uint64_t usable = 0, low = UINT64_MAX, high = 0;
  uint64_t bases[kMaxBases];
  size_t baseCount = 0;
  bool truncated = false;
  for (size_t i = 0; i < count_; ++i) {
    const auto* p = static_cast<const unsigned char*>(pointers_[i]);
    if (p == nullptr) continue;
    const size_t sizeField = ChunkSizeField(p);
    const int source = (sizeField & kIsMmapped) != 0 ? 1 : (sizeField & kNonMainArena) != 0 ? 2 : 0;
    const uint64_t a = reinterpret_cast<uintptr_t>(p);
    const bool inHeap = a >= heapStart && a < programBreak;
    flags[source]++;
    if (inHeap == (source == 0)) agreed[source]++; else disputed++;
    usable += malloc_usable_size(pointers_[i]);
    if (a < low) low = a;
    if (a + SizeOf(i) > high) high = a + SizeOf(i);
    if (source == 2 && alignBytes != 0) {
      const uint64_t base = a & ~(alignBytes - 1);
      bool seen = false;
      for (size_t k = 0; k < baseCount && !seen; ++k) seen = bases[k] == base;
      if (!seen) {
        if (baseCount < kMaxBases) bases[baseCount++] = base; else truncated = true;
      }
    }
  }
  auto triple = [&](const size_t* v) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("brk", Napi::Number::New(env, static_cast<double>(v[0])));
    o.Set("mmap", Napi::Number::New(env, static_cast<double>(v[1])));
    o.Set("threadArena", Napi::Number::New(env, static_cast<double>(v[2])));
    return o;
  };
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveBlocks", Napi::Number::New(env, static_cast<double>(liveCount_)));
  o.Set("usableBytes", Napi::Number::New(env, static_cast<double>(usable)));
  o.Set("flags", triple(flags));
  o.Set("agreed", triple(agreed));
  o.Set("disputed", Napi::Number::New(env, static_cast<double>(disputed)));
  o.Set("lowAddress", liveCount_ == 0 ? env.Null() : Napi::BigInt::New(env, low));
  o.Set("highEnd", liveCount_ == 0 ? env.Null() : Napi::BigInt::New(env, high));
  Napi::Array b = Napi::Array::New(env, baseCount);
  for (size_t k = 0; k < baseCount; ++k) b.Set(static_cast<uint32_t>(k), Napi::BigInt::New(env, bases[k]));
  o.Set("alignedBases", b);
  o.Set("alignedBasesTruncated", Napi::Boolean::New(env, truncated));
  return o;
#else
  ThrowUnsupported(env, "classify() decodes glibc's malloc chunk layout; this addon was built against a C library other than glibc");
#endif
}

// block(index) → { address: bigint | null (freed), sizeBytes, usableSizeBytes | null }.
Napi::Value BlockSet::Block(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const size_t i = ReadCount(info[0], "index", 0, count_ - 1);
  Napi::Object o = Napi::Object::New(env);
  void* p = pointers_[i];
  o.Set("address", p == nullptr ? env.Null() : Napi::Value(Napi::BigInt::New(env, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)))));
  o.Set("sizeBytes", Napi::Number::New(env, static_cast<double>(SizeOf(i))));
  o.Set("usableSizeBytes", p == nullptr ? env.Null() : Napi::Value(Napi::Number::New(env, static_cast<double>(malloc_usable_size(p)))));
  return o;
}

// residency(maxRuns) → mincore over the pages spanned by the live blocks, lowest
// address to highest end (ScanResidency's shape). Throws ENOMEM (from mincore) when
// that span crosses unmapped addresses (live blocks in several mappings).
Napi::Value BlockSet::Residency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const size_t maxRuns = ReadCount(info[0], "maxRuns", 0, kMaxRuns);
  uint64_t low = UINT64_MAX, high = 0;
  for (size_t i = 0; i < count_; ++i) {
    if (pointers_[i] == nullptr) continue;
    const uint64_t a = reinterpret_cast<uintptr_t>(pointers_[i]);
    if (a < low) low = a;
    if (a + SizeOf(i) > high) high = a + SizeOf(i);
  }
  if (high == 0) return ScanResidency(env, 0, 0, maxRuns, pageSize_);
  return ScanResidency(env, low, high - low, maxRuns, pageSize_);
}

Napi::Value BlockSet::GetCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(count_)); }
Napi::Value BlockSet::GetLiveCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(liveCount_)); }
Napi::Value BlockSet::GetRequestedBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(requestedBytes_));
}
Napi::Value BlockSet::GetLiveRequestedBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(liveRequestedBytes_));
}
Napi::Value BlockSet::GetDrainedTopBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(fillers_.bytes));
}

}  // namespace vmprobe
