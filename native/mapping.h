// mapping.h — Mapping: a JS object that owns exactly one mmap(2) region.
#ifndef VMPROBE_MAPPING_H
#define VMPROBE_MAPPING_H

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "handle.h"

namespace vmprobe {

// The region itself. Shared between the Mapping and any external ArrayBuffer over it,
// so the memory stays mapped as long as either can still reach it: a Mapping that is
// garbage-collected while its ArrayBuffer lives does not pull the memory from under it.
struct Region {
  uint8_t* base = nullptr;     // nullptr once unmapped
  size_t mappedBytes = 0;      // page-rounded length passed to mmap/munmap
  int fd = -1;                 // the file of a file-backed mapping, kept for fstat/msync
  Region() = default;
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  // Runs from finalizers (the Mapping's, the ArrayBuffer's) and env teardown: munmap/close only, never throws.
  ~Region() { Release(); }
  // munmap + close; returns 0 or the errno of a failed munmap. Safe to call twice.
  int Release();
  // Replaces the pages with fresh zero memory (MAP_FIXED) and closes the file, keeping
  // the range mapped for a buffer that may still point at it; the destructor unmaps.
  int Scrub();
};

class Mapping : public Handle<Mapping> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Mapping(const Napi::CallbackInfo& info);

  static constexpr const char* kKind = "mapping";
  static constexpr const char* kReleasedBy = "unmap";

 private:
  friend class Handle<Mapping>;
  Napi::Value Unmap(const Napi::CallbackInfo& info);
  Napi::Value Protect(const Napi::CallbackInfo& info);
  Napi::Value Advise(const Napi::CallbackInfo& info);
  Napi::Value Sync(const Napi::CallbackInfo& info);
  Napi::Value AsArrayBuffer(const Napi::CallbackInfo& info);
  Napi::Value Touch(const Napi::CallbackInfo& info);
  Napi::Value Residency(const Napi::CallbackInfo& info);
  Napi::Value FileSizeBytes(const Napi::CallbackInfo& info);

  Napi::Value GetAddress(const Napi::CallbackInfo& info);
  Napi::Value GetSizeBytes(const Napi::CallbackInfo& info);
  Napi::Value GetMappedBytes(const Napi::CallbackInfo& info);
  Napi::Value GetPageSizeBytes(const Napi::CallbackInfo& info);
  Napi::Value GetProtection(const Napi::CallbackInfo& info);

  void Map(const Napi::CallbackInfo& info);
  bool IsOpen() const { return region_ != nullptr && region_->base != nullptr; }
  void DetachBuffer();
  // Bytes of the mapping that lie on pages backed by the file right now (the rest
  // would raise SIGBUS when touched). For anonymous mappings: sizeBytes_.
  size_t TouchableBytes(Napi::Env env) const;

  std::shared_ptr<Region> region_;
  Napi::Reference<Napi::ArrayBuffer> buffer_;  // weak: detached on unmap()/protect()
  size_t sizeBytes_ = 0;
  size_t pageSize_ = 0;
  int prot_ = 0;
  bool shared_ = false;
  uint64_t fileOffset_ = 0;
};

}  // namespace vmprobe

#endif  // VMPROBE_MAPPING_H
