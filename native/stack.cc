// stack.cc — the calling thread's stack: its bounds, a recursion that grows it frame by
// frame while the record writer (stack_records.cc) streams marks and samples to a file
// descriptor, and stack vs heap allocation cost.
//
// Follows pthread_getattr_np(3), alloca(3) and proc(5) (maps: the stack mapping's end).
// The recursion is meant to run until the kernel refuses to grow the stack (SIGSEGV) —
// only ever in a child process (lib/experiments/stack/child-tasks.ts). The hot path
// never allocates.
#include "stack.h"

#include "child_only.h"

#include <alloca.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "args.h"
#include "constants.h"
#include "errors.h"
#include "measure.h"
#include "stack_records.h"
#include "sysinfo.h"

namespace vmprobe {

namespace {

// Stack the recursion must leave free below its deepest frame when it is asked to stop
// (not to die): the sampler's buffers, a signal frame, the N-API return path.
constexpr size_t kStopHeadroomBytes = 64 * 1024;

struct Bounds {
  uintptr_t low = 0;   // lowest usable address (above the guard)
  uintptr_t top = 0;   // one past the highest
  size_t guardBytes = 0;
};

// pthread_getattr_np(3): for the main thread glibc derives the bounds from
// /proc/self/maps and RLIMIT_STACK (it allocates: never call this in the hot path).
bool ThreadBounds(Bounds* b, int* savedErrno) {
  pthread_attr_t attr;
  int rc = pthread_getattr_np(pthread_self(), &attr);
  if (rc != 0) {
    *savedErrno = rc;
    return false;
  }
  void* addr = nullptr;
  size_t size = 0;
  size_t guard = 0;
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_getguardsize(&attr, &guard);
  pthread_attr_destroy(&attr);
  b->low = reinterpret_cast<uintptr_t>(addr);
  b->top = b->low + size;
  b->guardBytes = guard;
  return true;
}

Bounds RequireBounds(Napi::Env env) {
  Bounds b;
  int err = 0;
  if (!ThreadBounds(&b, &err)) ThrowErrno(env, err, "pthread_getattr_np", "");
  return b;
}

bool IsMainThread() { return static_cast<pid_t>(syscall(SYS_gettid)) == getpid(); }

struct RecurseState {
  int fd = -1;
  size_t frameBytes = 0;
  size_t pageBytes = 0;
  uint64_t sampleEveryFrames = 0;  // 0: no full samples
  uintptr_t top = 0;
  uint64_t stopAtDepthBytes = 0;  // 0: never stop (until the kernel refuses)
  uint64_t nextMarkBytes = 0;
  uint64_t deepestBytes = 0;
  uint64_t frames = 0;
};

// Touches one byte in every page of the frame, from its high end down, the order in
// which a real frame is used, so the stack grows one page at a time.
VMPROBE_MEASURED inline void TouchFrame(volatile uint8_t* frame, size_t bytes, size_t pageBytes, uint8_t value) {
  for (size_t off = bytes; off > pageBytes; off -= pageBytes) frame[off - 1] = value;
  frame[0] = value;
}

// Records what one frame sees; returns true when the recursion should stop.
VMPROBE_MEASURED inline bool Visit(RecurseState* s, uint64_t depth, uintptr_t frameLow) {
  const uint64_t depthBytes = s->top - frameLow;
  s->frames = depth;
  if (depthBytes > s->deepestBytes) s->deepestBytes = depthBytes;
  if (s->fd >= 0) {
    if (depthBytes >= s->nextMarkBytes) {
      WriteMark(s->fd, depth, depthBytes);
      s->nextMarkBytes = (depthBytes / s->pageBytes + 1) * s->pageBytes;
    }
    if (s->sampleEveryFrames != 0 && depth % s->sampleEveryFrames == 0) WriteSample(s->fd, s->pageBytes, depth, frameLow, depthBytes);
  }
  return s->stopAtDepthBytes != 0 && depthBytes >= s->stopAtDepthBytes;
}

// HAZARD: an optimising compiler turns a recursion whose result is unused into a loop
// (tail call) or inlines it, and then the stack never grows. Each recursing function
// is noinline, keeps a volatile frame that the recursion touches, and writes to that
// frame after the call returns, so the frame must stay alive across the call.
// VMPROBE_MEASURED (measure.h) on the recursion and what it calls per frame: under
// ASan each instrumented frame would poison and unpoison its redzones in the shadow of
// the stack, faulting shadow pages and enlarging every frame.
__attribute__((noinline)) VMPROBE_MEASURED uint64_t RecurseFrame(RecurseState* s, uint64_t depth) {
  volatile uint8_t frame[s->frameBytes];  // GNU variable-length array: the frame itself is frameBytes larger
  TouchFrame(frame, s->frameBytes, s->pageBytes, static_cast<uint8_t>(depth));
  if (Visit(s, depth, reinterpret_cast<uintptr_t>(&frame[0]))) return depth;
  const uint64_t deepest = RecurseFrame(s, depth + 1);
  frame[0] = static_cast<uint8_t>(deepest);
  return deepest;
}

__attribute__((noinline)) VMPROBE_MEASURED uint64_t RecurseAlloca(RecurseState* s, uint64_t depth) {
  volatile uint8_t* frame = static_cast<volatile uint8_t*>(alloca(s->frameBytes));
  TouchFrame(frame, s->frameBytes, s->pageBytes, static_cast<uint8_t>(depth));
  if (Visit(s, depth, reinterpret_cast<uintptr_t>(frame))) return depth;
  const uint64_t deepest = RecurseAlloca(s, depth + 1);
  frame[0] = static_cast<uint8_t>(deepest);
  return deepest;
}

// One allocation of `bytes` by each method, touched like a frame, then released.
__attribute__((noinline)) VMPROBE_MEASURED uint8_t FrameOnce(size_t bytes, size_t pageBytes, uint8_t v) {
  volatile uint8_t frame[bytes];
  TouchFrame(frame, bytes, pageBytes, v);
  return frame[bytes - 1];
}
__attribute__((noinline)) VMPROBE_MEASURED uint8_t AllocaOnce(size_t bytes, size_t pageBytes, uint8_t v) {
  volatile uint8_t* p = static_cast<volatile uint8_t*>(alloca(bytes));
  TouchFrame(p, bytes, pageBytes, v);
  return p[bytes - 1];
}
__attribute__((noinline)) VMPROBE_MEASURED int MallocOnce(size_t bytes, size_t pageBytes, uint8_t v) {
  volatile uint8_t* p = static_cast<volatile uint8_t*>(std::malloc(bytes));
  if (p == nullptr) return -1;
  TouchFrame(p, bytes, pageBytes, v);
  const uint8_t r = p[bytes - 1];
  std::free(const_cast<uint8_t*>(p));
  return r;
}

// The end of the mapping holding `sp` (0 if not found). The kernel compares the main
// stack's whole mapping with RLIMIT_STACK, from its end down: the argument and
// environment strings above glibc's stack top count too. Not the hot path.
uintptr_t MappingEnd(uintptr_t sp) {
  uintptr_t found = 0;
  ForEachLine("/proc/self/maps", [&](const char* line, size_t) {
    char* dash = nullptr;
    const uintptr_t start = static_cast<uintptr_t>(std::strtoull(line, &dash, 16));
    if (dash == nullptr || *dash != '-') return true;
    const uintptr_t end = static_cast<uintptr_t>(std::strtoull(dash + 1, nullptr, 16));
    if (sp < start || sp >= end) return true;
    found = end;
    return false;
  });
  return found;
}


// The stack left below the caller's current frame, with headroom kept free.
uint64_t AvailableBytes(const Bounds& b) {
  volatile uint8_t here = 0;
  const uintptr_t sp = reinterpret_cast<uintptr_t>(&here);
  return sp > b.low + kStopHeadroomBytes ? sp - b.low - kStopHeadroomBytes : 0;
}

Napi::Value Address(Napi::Env env, uintptr_t a) { return Napi::BigInt::New(env, static_cast<uint64_t>(a)); }

}  // namespace

Napi::Value ThreadStack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Bounds b = RequireBounds(env);
  volatile uint8_t here = 0;
  const uintptr_t sp = reinterpret_cast<uintptr_t>(&here);
  Napi::Object o = Napi::Object::New(env);
  o.Set("stackPointer", Address(env, sp));
  o.Set("stackLow", Address(env, b.low));
  o.Set("stackTop", Address(env, b.top));
  o.Set("stackSizeBytes", Napi::Number::New(env, static_cast<double>(b.top - b.low)));
  o.Set("guardSizeBytes", Napi::Number::New(env, static_cast<double>(b.guardBytes)));
  o.Set("inUseBytes", Napi::Number::New(env, static_cast<double>(b.top - sp)));
  o.Set("mainThread", Napi::Boolean::New(env, IsMainThread()));
  return o;
}

Napi::Value StackRecurse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = ReadOptionsObject(info, 0, "options");
  RecurseState s;
  s.pageBytes = PageSize();
  s.frameBytes = ReadCount(opts.Get("frameBytes"), "frameBytes", kMinFrameBytes, kMaxFrameBytes);
  const bool useAlloca = ReadChoice(opts.Get("variant"), "variant", {"frame", "alloca"}) == 1;
  s.fd = opts.Get("fd").IsUndefined() ? -1 : static_cast<int>(ReadCount(opts.Get("fd"), "fd", 0, INT32_MAX));
  s.sampleEveryFrames = ReadOptionalCount(opts, "sampleEveryFrames", 0, 0, kMaxSafeInteger);
  const bool untilFault = ReadOptionalBool(opts, "untilFault", false);
  if (untilFault) RequireChildTask(env, "stackRecurse({ untilFault: true })");
  s.stopAtDepthBytes = untilFault ? 0 : ReadCount(opts.Get("stopAtDepthBytes"), "stopAtDepthBytes", 1, kMaxSafeInteger);
  if (s.fd >= 0 && fcntl(s.fd, F_GETFD) < 0) {
    int err = errno;
    ThrowErrno(env, err, "fcntl", "fd " + std::to_string(s.fd) + " is not open");
  }
  const Bounds b = RequireBounds(env);
  // Depth is measured from where the kernel measures it: for the main thread the end of
  // the [stack] mapping (above glibc's top by the argument strings), else glibc's top.
  const uintptr_t mappingEnd = IsMainThread() ? MappingEnd(reinterpret_cast<uintptr_t>(&s)) : 0;
  s.top = mappingEnd > b.top ? mappingEnd : b.top;
  if (!untilFault) {
    // The second wall (lib/stack/probes.ts checks first): a stopping recursion must fit.
    const uint64_t inUse = s.top - reinterpret_cast<uintptr_t>(&s);
    const uint64_t room = AvailableBytes(b);
    if (s.stopAtDepthBytes + s.frameBytes > inUse + room) {
      ThrowOutOfRange(env, "stopAtDepthBytes", "<= " + std::to_string(inUse + room > s.frameBytes ? inUse + room - s.frameBytes : 0) +
                      " (this thread's stack minus a frame and " + std::to_string(kStopHeadroomBytes) + " bytes of headroom)",
                      std::to_string(s.stopAtDepthBytes));
    }
  }
  FaultClock clock;
  const uint64_t frames = useAlloca ? RecurseAlloca(&s, 1) : RecurseFrame(&s, 1);
  const Counters c = clock.Elapsed();
  Napi::Object o = Napi::Object::New(env);
  o.Set("frames", Napi::Number::New(env, static_cast<double>(frames)));
  o.Set("deepestBytes", Napi::Number::New(env, static_cast<double>(s.deepestBytes)));
  o.Set("stackTop", Address(env, s.top));
  SetCounters(env, o, c);
  return o;
}

Napi::Value StackAllocCost(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = ReadOptionsObject(info, 0, "options");
  const size_t kind = ReadChoice(opts.Get("kind"), "kind", {"frame", "alloca", "malloc"});
  const size_t pageBytes = PageSize();
  const Bounds b = RequireBounds(env);
  const uint64_t room = AvailableBytes(b);
  const uint64_t maxBytes = room < kMaxFrameBytes ? room : kMaxFrameBytes;
  const size_t bytes = ReadCount(opts.Get("sizeBytes"), "sizeBytes", 1, maxBytes < 1 ? 1 : maxBytes);
  const uint64_t iterations = ReadCount(opts.Get("iterations"), "iterations", 1, kMaxSafeInteger);
  uint64_t sink = 0;
  FaultClock clock;
  for (uint64_t i = 0; i < iterations; ++i) {
    const uint8_t v = static_cast<uint8_t>(i);
    if (kind == 0) {
      sink += FrameOnce(bytes, pageBytes, v);
    } else if (kind == 1) {
      sink += AllocaOnce(bytes, pageBytes, v);
    } else {
      const int r = MallocOnce(bytes, pageBytes, v);
      if (r < 0) ThrowErrno(env, ENOMEM, "malloc", std::to_string(bytes) + " bytes");
      sink += static_cast<uint64_t>(r);
    }
  }
  const Counters c = clock.Elapsed();
  asm volatile("" : : "r"(sink) : "memory");
  Napi::Object o = CountersToJs(env, c);
  o.Set("iterations", Napi::Number::New(env, static_cast<double>(iterations)));
  return o;
}

}  // namespace vmprobe
