// glibc_malloc.cc — TopFillers (see glibc_malloc.h): drainTop for HeapBlock and BlockSet.
#include "glibc_malloc.h"

#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "errors.h"
#include "libc.h"

namespace vmprobe {

void TopFillers::Drain(Napi::Env env) {
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
  if (const char* other = ReplacementAllocator())
    ThrowUnsupported(env, std::string("drainTop needs glibc's malloc; ") + other + " is loaded in this process");
  if (static_cast<pid_t>(syscall(SYS_gettid)) != getpid())
    ThrowUnsupported(env, "drainTop drains the main arena's top chunk and only works on the main thread (a worker allocates from its own arena)");
  const size_t minChunk = 4 * sizeof(size_t);  // glibc MINSIZE on this ABI
  size_t previousTop = SIZE_MAX;
  for (int round = 0; round < kMax; ++round) {
    const size_t top = mallinfo2().keepcost;
    // A filler that did not come out of the top chunk (another arena, or mmap) would
    // be allocated for nothing: stop as soon as the top stops shrinking.
    if (top <= 4 * minChunk || top >= previousTop) break;
    previousTop = top;
    const size_t request = top - 2 * minChunk - sizeof(size_t);
    void* f = malloc(request);
    if (f == nullptr) break;
    blocks[round] = f;
    bytes += request;
  }
#else
  ThrowUnsupported(env, "drainTop needs glibc >= 2.33 (mallinfo2); this addon was built against another C library");
#endif
}

void TopFillers::FreeAll() {
  for (void*& f : blocks) {
    free(f);
    f = nullptr;
  }
}

}  // namespace vmprobe
