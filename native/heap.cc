// heap.cc — HeapBlock: malloc/calloc one block, touch it, free it exactly once.
//
// Follows malloc(3), malloc_usable_size(3). JS never frees by address: the block is
// freed by free() (idempotent) or by the finalizer of a forgotten handle. Touches are
// bounded by the requested size, never the usable size, so a test of the allocator
// cannot scribble on glibc's bookkeeping.
#include "heap.h"

#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "args.h"
#include "errors.h"
#include "live.h"
#include "residency.h"
#include "touch.h"

namespace vmprobe {

Napi::Function HeapBlock::Define(Napi::Env env) {
  return DefineClass(env, "HeapBlock",
                     {
                         InstanceMethod<&HeapBlock::Free>("free"),
                         InstanceMethod<&HeapBlock::Touch>("touch"),
                         InstanceMethod<&HeapBlock::Residency>("residency"),
                         InstanceAccessor<&HeapBlock::GetAddress>("address"),
                         InstanceAccessor<&HeapBlock::GetSizeBytes>("sizeBytes"),
                         InstanceAccessor<&HeapBlock::GetUsableSizeBytes>("usableSizeBytes"),
                         InstanceAccessor<&HeapBlock::GetClosed>("closed"),
                         InstanceAccessor<&HeapBlock::GetCreation>("creation"),
                     });
}

// new HeapBlock({ sizeBytes, zeroed })
HeapBlock::HeapBlock(const Napi::CallbackInfo& info) : Napi::ObjectWrap<HeapBlock>(info) {
  Napi::Env env = info.Env();
  pageSize_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  Napi::Object opts = ReadOptionsObject(info, 0, "options");
  sizeBytes_ = ReadCount(opts.Get("sizeBytes"), "sizeBytes", 1, kMaxSafeInteger);
  const bool zeroed = ReadOptionalBool(opts, "zeroed", false);
  FaultClock clock;
  void* p = zeroed ? calloc(1, sizeBytes_) : malloc(sizeBytes_);
  creation_ = clock.Elapsed();
  if (p == nullptr) {
    int err = errno;
    ThrowErrno(env, err == 0 ? ENOMEM : err, zeroed ? "calloc" : "malloc", std::to_string(sizeBytes_) + " bytes");
  }
  block_ = static_cast<uint8_t*>(p);
  LiveHandles().heapBlocks++;
  usableSizeBytes_ = malloc_usable_size(p);
}

HeapBlock::~HeapBlock() {
  if (block_ != nullptr) LiveHandles().heapBlocks--;
  free(block_);
}

void HeapBlock::EnsureOpen(Napi::Env env) const {
  if (block_ == nullptr) ThrowClosed(env, "heap block", "free");
}

Napi::Value HeapBlock::Free(const Napi::CallbackInfo& info) {
  if (block_ != nullptr) LiveHandles().heapBlocks--;
  free(block_);
  block_ = nullptr;
  return info.Env().Undefined();
}

Napi::Value HeapBlock::Touch(const Napi::CallbackInfo& info) {
  EnsureOpen(info.Env());
  TouchArgs a = ReadTouchArgs(info, sizeBytes_);
  return TouchResultToJs(info.Env(), TouchRange(block_, a.offset, a.length, a.stride, a.write, pageSize_));
}

Napi::Value HeapBlock::Residency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const size_t offset = ReadCount(info[0], "offsetBytes", 0, sizeBytes_);
  const size_t length = ReadCount(info[1], "lengthBytes", 0, sizeBytes_ - offset);
  const size_t maxRuns = ReadCount(info[2], "maxRuns", 0, 1u << 24);
  return ScanResidency(env, reinterpret_cast<uintptr_t>(block_) + offset, length, maxRuns, pageSize_);
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
Napi::Value HeapBlock::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), block_ == nullptr);
}
Napi::Value HeapBlock::GetCreation(const Napi::CallbackInfo& info) {
  return CountersToJs(info.Env(), creation_);
}

}  // namespace vmprobe
