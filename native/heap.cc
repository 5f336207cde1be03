// heap.cc — HeapBlock: malloc/calloc/posix_memalign one block, realloc it, read the
// chunk header glibc keeps before it, touch it, free it exactly once.
//
// Follows malloc(3), posix_memalign(3), malloc_usable_size(3), and glibc's
// malloc/malloc.c for the chunk layout. JS never frees by address: the block is freed
// by free() (idempotent) or by the finalizer of a forgotten handle. Touches are
// bounded by the requested size, never the usable size, so a test of the allocator
// cannot scribble on glibc's bookkeeping. With drainTop the handle also owns the
// fillers that used up the top chunk before the request (freed with the block).
// Hazard: the chunk header is read only from the block this handle owns and while it
// is live (the word before it belongs to the same chunk, so it is mapped); never from
// an address JS supplies.
#include "heap.h"

#include <malloc.h>
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
#include "touch.h"

namespace vmprobe {

Napi::Function HeapBlock::Define(Napi::Env env) {
  return DefineClass(env, "HeapBlock",
                     {
                         ReleaseMethod("free"),
                         InstanceMethod<&HeapBlock::Realloc>("realloc"),
                         InstanceMethod<&HeapBlock::ChunkHeader>("chunkHeader"),
                         InstanceMethod<&HeapBlock::Touch>("touch"),
                         InstanceMethod<&HeapBlock::Residency>("residency"),
                         InstanceAccessor<&HeapBlock::GetAddress>("address"),
                         InstanceAccessor<&HeapBlock::GetSizeBytes>("sizeBytes"),
                         InstanceAccessor<&HeapBlock::GetUsableSizeBytes>("usableSizeBytes"),
                         ClosedAccessor(),
                         CreationAccessor(),
                         InstanceAccessor<&HeapBlock::GetDrainedTopBytes>("drainedTopBytes"),
                     });
}

namespace {

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

// new HeapBlock({ sizeBytes, zeroed, alignBytes, drainTop })
HeapBlock::HeapBlock(const Napi::CallbackInfo& info) : Handle<HeapBlock>(info) {
  Construct(info, [&] { Allocate(info); }, [this] { Release(); });
}

// The constructor's work; on a throw, Release() frees the fillers drainTop made.
void HeapBlock::Allocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pageSize_ = PageSize();
  Napi::Object opts = ReadOptionsObject(info, 0, "options");
  sizeBytes_ = ReadCount(opts.Get("sizeBytes"), "sizeBytes", 1, kMaxSafeInteger);
  const bool zeroed = ReadOptionalBool(opts, "zeroed", false);
  const uint64_t alignBytes = ReadOptionalCount(opts, "alignBytes", 0, 0, 1ULL << 30);
  if (alignBytes != 0 && (!IsPowerOfTwo(alignBytes) || alignBytes % sizeof(void*) != 0)) {
    ThrowArgValue(env, "alignBytes", "must be a power of two and a multiple of " + std::to_string(sizeof(void*)) +
                                         " (posix_memalign). Received " + std::to_string(alignBytes));
  }
  if (alignBytes != 0 && zeroed) ThrowArgValue(env, "zeroed", "cannot be combined with alignBytes (posix_memalign does not zero)");
  const bool drainTop = ReadOptionalBool(opts, "drainTop", false);
  void* p = nullptr;
  const char* call = zeroed ? "calloc" : alignBytes != 0 ? "posix_memalign" : "malloc";
  if (drainTop) fillers_.Drain(env);
  FaultClock clock;
  int alignErr = 0;
  if (alignBytes != 0) {
    alignErr = posix_memalign(&p, static_cast<size_t>(alignBytes), sizeBytes_);
  } else {
    p = zeroed ? calloc(1, sizeBytes_) : malloc(sizeBytes_);
  }
  creation_ = clock.Elapsed();
  if (p == nullptr) {
    // posix_memalign returns the error instead of setting errno.
    int err = alignBytes != 0 ? alignErr : errno;
    ThrowErrno(env, err == 0 ? ENOMEM : err, call, std::to_string(sizeBytes_) + " bytes");
  }
  block_ = static_cast<uint8_t*>(p);
  LiveHandles().heapBlocks++;
  usableSizeBytes_ = malloc_usable_size(p);
}

// Runs from the GC finalizer or env teardown, with no JS caller: free(3) and an atomic only, nothing that can throw.
HeapBlock::~HeapBlock() { Release(); }

void HeapBlock::Release() {
  if (block_ != nullptr) LiveHandles().heapBlocks--;
  free(block_);
  block_ = nullptr;
  fillers_.FreeAll();
}

// realloc(newSizeBytes) → { moved, creation counters }. On failure the old block is
// still owned and unchanged (realloc(3) leaves it alone), and the error is thrown.
Napi::Value HeapBlock::Realloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const size_t newSize = ReadCount(info[0], "sizeBytes", 1, kMaxSafeInteger);
  FaultClock clock;
  void* p = realloc(block_, newSize);
  Counters c = clock.Elapsed();
  if (p == nullptr) {
    int err = errno;
    ThrowErrno(env, err == 0 ? ENOMEM : err, "realloc", std::to_string(newSize) + " bytes");
  }
  const bool moved = p != block_;
  block_ = static_cast<uint8_t*>(p);
  sizeBytes_ = newSize;
  usableSizeBytes_ = malloc_usable_size(p);
  Napi::Object o = CountersToJs(env, c);
  o.Set("moved", Napi::Boolean::New(env, moved));
  return o;
}

// chunkHeader() → the size word glibc keeps just before this block, decoded.
// { headerWordBytes, rawSizeField, chunkSizeBytes, prevInuse, isMmapped, nonMainArena,
//   mmapOffsetBytes } — mmapOffsetBytes (the prev_size word of an mmapped chunk: the
// distance from the mapping's start to the chunk) is null for heap chunks, where that
// word belongs to the previous chunk's user data.
Napi::Value HeapBlock::ChunkHeader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
#ifdef __GLIBC__
  if (const char* other = ReplacementAllocator())
    ThrowUnsupported(env, std::string("chunkHeader() decodes glibc's malloc chunks, but ") + other + " is loaded in this process");
  const size_t sizeField = ChunkSizeField(block_);
  const bool mmapped = (sizeField & kIsMmapped) != 0;
  Napi::Object o = Napi::Object::New(env);
  o.Set("headerWordBytes", Napi::Number::New(env, static_cast<double>(sizeof(size_t))));
  o.Set("rawSizeField", Napi::BigInt::New(env, static_cast<uint64_t>(sizeField)));
  o.Set("chunkSizeBytes", Napi::Number::New(env, static_cast<double>(sizeField & ~kSizeBits)));
  o.Set("prevInuse", Napi::Boolean::New(env, (sizeField & kPrevInuse) != 0));
  o.Set("isMmapped", Napi::Boolean::New(env, mmapped));
  o.Set("nonMainArena", Napi::Boolean::New(env, (sizeField & kNonMainArena) != 0));
  if (mmapped) {
    size_t prevSize;
    std::memcpy(&prevSize, block_ - 2 * sizeof(size_t), sizeof prevSize);
    o.Set("mmapOffsetBytes", Napi::Number::New(env, static_cast<double>(prevSize)));
  } else {
    o.Set("mmapOffsetBytes", env.Null());
  }
  return o;
#else
  ThrowUnsupported(env, "chunkHeader() decodes glibc's malloc chunk layout; this addon was built against a C library other than glibc (musl or another)");
#endif
}

Napi::Value HeapBlock::Touch(const Napi::CallbackInfo& info) {
  EnsureOpen(info.Env());
  TouchArgs a = ReadTouchArgs(info, sizeBytes_);
  return TouchResultToJs(info.Env(), TouchRange(block_, a.offset, a.length, a.stride, a.write, pageSize_));
}

Napi::Value HeapBlock::Residency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const RangeArgs a = ReadRangeArgs(info, sizeBytes_);
  return ScanResidency(env, reinterpret_cast<uintptr_t>(block_) + a.offset, a.length, a.maxRuns, pageSize_);
}

Napi::Value HeapBlock::GetAddress(const Napi::CallbackInfo& info) {
  if (block_ == nullptr) return info.Env().Null();
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(block_)));
}
Napi::Value HeapBlock::GetSizeBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(sizeBytes_));
}
Napi::Value HeapBlock::GetUsableSizeBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(usableSizeBytes_));
}
Napi::Value HeapBlock::GetDrainedTopBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(fillers_.bytes));
}

}  // namespace vmprobe
