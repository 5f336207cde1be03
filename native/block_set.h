// block_set.h — BlockSet: N malloc(3) blocks made in ONE native call, freed by index,
// range or pattern in one call, classified together.
//
// The apparatus must not allocate in the heap it measures: the pointer table and the
// size pattern live in one private anonymous mapping of the set's own (mmap(2), never
// malloc), so nothing of vmprobe's lies between the measured blocks. The only malloc'd
// bookkeeping is this C++ object and its N-API reference, made before the first block.
#ifndef VMPROBE_BLOCK_SET_H
#define VMPROBE_BLOCK_SET_H

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "glibc_malloc.h"
#include "handle.h"

namespace vmprobe {

class BlockSet : public Handle<BlockSet> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit BlockSet(const Napi::CallbackInfo& info);
  ~BlockSet() override;

  static constexpr const char* kKind = "block set";
  static constexpr const char* kReleasedBy = "close";

 private:
  friend class Handle<BlockSet>;
  Napi::Value Free(const Napi::CallbackInfo& info);
  Napi::Value Classify(const Napi::CallbackInfo& info);
  Napi::Value Block(const Napi::CallbackInfo& info);
  Napi::Value Residency(const Napi::CallbackInfo& info);
  Napi::Value GetCount(const Napi::CallbackInfo& info);
  Napi::Value GetLiveCount(const Napi::CallbackInfo& info);
  Napi::Value GetRequestedBytes(const Napi::CallbackInfo& info);
  Napi::Value GetLiveRequestedBytes(const Napi::CallbackInfo& info);
  Napi::Value GetDrainedTopBytes(const Napi::CallbackInfo& info);
  void Allocate(const Napi::CallbackInfo& info);
  bool IsOpen() const { return table_ != nullptr; }
  void Release();
  size_t SizeOf(size_t index) const { return static_cast<size_t>(pattern_[index % patternLength_]); }

  void* table_ = nullptr;  // the mmapped tables; nullptr once closed
  size_t tableBytes_ = 0;
  void** pointers_ = nullptr;  // count_ entries; nullptr = freed
  uint64_t* pattern_ = nullptr;  // patternLength_ sizes, cycled over the blocks
  size_t patternLength_ = 0;
  size_t count_ = 0;
  size_t liveCount_ = 0;
  uint64_t requestedBytes_ = 0;
  uint64_t liveRequestedBytes_ = 0;
  size_t pageSize_ = 0;
  TopFillers fillers_;  // drainTop: the top chunk's remainder, freed on close
  bool registered_ = false;  // counted in LiveHandles().blockSets
};

}  // namespace vmprobe

#endif  // VMPROBE_BLOCK_SET_H
