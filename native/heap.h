// heap.h — HeapBlock: a JS object that owns exactly one malloc(3)/calloc(3)/
// posix_memalign(3) block, resizable with realloc(3).
#ifndef VMPROBE_HEAP_H
#define VMPROBE_HEAP_H

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "glibc_malloc.h"
#include "handle.h"

namespace vmprobe {

class HeapBlock : public Handle<HeapBlock> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit HeapBlock(const Napi::CallbackInfo& info);
  ~HeapBlock() override;

  static constexpr const char* kKind = "heap block";
  static constexpr const char* kReleasedBy = "free";

 private:
  friend class Handle<HeapBlock>;
  Napi::Value Realloc(const Napi::CallbackInfo& info);
  Napi::Value ChunkHeader(const Napi::CallbackInfo& info);
  Napi::Value Touch(const Napi::CallbackInfo& info);
  Napi::Value Residency(const Napi::CallbackInfo& info);
  Napi::Value GetAddress(const Napi::CallbackInfo& info);
  Napi::Value GetSizeBytes(const Napi::CallbackInfo& info);
  Napi::Value GetUsableSizeBytes(const Napi::CallbackInfo& info);
  Napi::Value GetDrainedTopBytes(const Napi::CallbackInfo& info);
  void Allocate(const Napi::CallbackInfo& info);
  bool IsOpen() const { return block_ != nullptr; }
  void Release();

  uint8_t* block_ = nullptr;  // nullptr once freed
  size_t sizeBytes_ = 0;
  size_t usableSizeBytes_ = 0;
  size_t pageSize_ = 0;
  TopFillers fillers_;  // drainTop: the top chunk's remainder, freed with the block
};

}  // namespace vmprobe

#endif  // VMPROBE_HEAP_H
