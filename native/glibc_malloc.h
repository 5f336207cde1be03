// glibc_malloc.h — what HeapBlock and BlockSet know of glibc's malloc: the size word
// before each chunk's user memory and its flags, and drainTop (using up the main
// arena's top chunk so the next request goes through sysmalloc and its mmap threshold).
//
// Follows glibc's malloc/malloc.c (chunk layout, PREV_INUSE / IS_MMAPPED /
// NON_MAIN_ARENA) and mallinfo2(3) (keepcost: the releasable top of the main arena).
#ifndef VMPROBE_GLIBC_MALLOC_H
#define VMPROBE_GLIBC_MALLOC_H

#include <napi.h>

#include <cstddef>
#include <cstring>

namespace vmprobe {

// malloc.c: the low three bits of a chunk's size field are flags.
constexpr size_t kPrevInuse = 0x1;
constexpr size_t kIsMmapped = 0x2;
constexpr size_t kNonMainArena = 0x4;
constexpr size_t kSizeBits = kPrevInuse | kIsMmapped | kNonMainArena;

// The size word glibc keeps just before `block` (a pointer malloc returned, still
// live: the word belongs to the same chunk, so it is mapped). Never call it on an
// address JS supplies, nor when another allocator replaces glibc's (no such word).
inline size_t ChunkSizeField(const void* block) {
  size_t sizeField;
  std::memcpy(&sizeField, static_cast<const unsigned char*>(block) - sizeof(size_t), sizeof sizeField);
  return sizeField;
}

// The fillers drainTop allocates: what was left of the main arena's top chunk but a
// few words, so that the next request cannot be carved from the top chunk. A fixed
// array: the apparatus mallocs nothing of its own around the measured blocks.
struct TopFillers {
  static constexpr int kMax = 4;
  void* blocks[kMax] = {};
  size_t bytes = 0;  // requested bytes of all fillers

  // Throws ERR_VMPROBE_UNSUPPORTED where drainTop cannot work (built against another C
  // library or glibc < 2.33, a replacement malloc loaded, not the main thread: a worker
  // allocates from its own arena); else allocates the fillers. Call it in the same
  // native call as the request it prepares: no JS (and no malloc of a JS wrapper) in between.
  void Drain(Napi::Env env);
  // free(3)s the fillers; safe to call again. No JS, nothing that can throw.
  void FreeAll();
};

}  // namespace vmprobe

#endif  // VMPROBE_GLIBC_MALLOC_H
