// stack.cc — the calling thread's stack: its bounds, a recursion that grows it frame by
// frame while streaming samples to a file descriptor, and stack vs heap allocation cost.
//
// Follows pthread_getattr_np(3), alloca(3), write(2), mincore(2) and proc(5) (status
// "VmStk", maps "[stack]"). The recursion is meant to run until the kernel refuses to
// grow the stack (SIGSEGV) — only ever in a child process (lib/experiments/stack/child-tasks.ts): every
// record is written with write(2) the moment it exists, so what was written before the
// process died reaches the parent. The hot path never allocates: /proc files are read
// with read(2) into a small buffer on the stack, records are formatted into another.
// /proc text is not interpreted here beyond finding the one line asked for; the lines
// travel raw and TypeScript parses them (lib/experiments/stack/records.ts).
//
// Records are JSON lines in the child channel's envelope (lib/child/entry.ts):
//   {"type":"record","value":{"kind":"mark",...}}    every time the stack in use
//       crosses into a new page: the depth at death is known to within one page;
//   {"type":"record","value":{"kind":"sample",...}}  every sampleEveryFrames frames:
//       stack pointer, bytes in use, the VmStk line, the [stack] maps line and how
//       many pages of that mapping are resident (mincore).
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
#include "sysinfo.h"
#include "touch.h"

namespace vmprobe {

namespace {

// Small on purpose: the sampler runs on the very stack it measures, near the limit.
constexpr size_t kLineBufferBytes = 1024;
constexpr size_t kRecordBytes = 768;
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

// Calls onLine(line, length) for each line of `path` until it returns false. Lines
// longer than the buffer are dropped (the lines asked for are short).
template <typename F>
void ForEachLine(const char* path, F onLine) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[kLineBufferBytes];
  size_t have = 0;
  bool skipping = false;  // inside an over-long line
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
    size_t start = 0;
    for (size_t i = 0; i < have; ++i) {
      if (buf[i] != '\n') continue;
      bool keepGoing = skipping ? true : onLine(buf + start, i - start);
      skipping = false;
      start = i + 1;
      if (!keepGoing) {
        close(fd);
        return;
      }
    }
    if (start == 0 && have == sizeof buf) {
      skipping = true;
      have = 0;
      continue;
    }
    std::memmove(buf, buf + start, have - start);
    have -= start;
  }
  if (have > 0 && !skipping) onLine(buf, have);
  close(fd);
}

// Copies `line` into `out` as the inside of a JSON string; returns bytes written.
size_t JsonEscape(const char* line, size_t length, char* out, size_t room) {
  size_t w = 0;
  for (size_t i = 0; i < length && w + 7 < room; ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '"' || c == '\\') {
      out[w++] = '\\';
      out[w++] = static_cast<char>(c);
    } else if (c == '\t') {
      out[w++] = '\\';
      out[w++] = 't';
    } else if (c < 0x20) {
      w += static_cast<size_t>(std::snprintf(out + w, room - w, "\\u%04x", c));
    } else {
      out[w++] = static_cast<char>(c);
    }
  }
  out[w] = '\0';
  return w;
}

bool StartsWith(const char* line, size_t length, const char* prefix) {
  const size_t n = std::strlen(prefix);
  return length >= n && std::memcmp(line, prefix, n) == 0;
}

bool EndsWith(const char* line, size_t length, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return length >= n && std::memcmp(line + length - n, suffix, n) == 0;
}

void WriteAll(int fd, const char* data, size_t length) {
  while (length > 0) {
    ssize_t n = write(fd, data, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone: nothing to report to
    data += n;
    length -= static_cast<size_t>(n);
  }
}

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

// Resident pages of the mapping described by a maps line (its start-end parsed here,
// the only parsing this file does: the sample must be complete when it is written).
long long ResidentPages(const char* line, size_t pageBytes) {
  char* end = nullptr;
  const unsigned long long start = std::strtoull(line, &end, 16);
  if (end == nullptr || *end != '-') return -1;
  const unsigned long long stop = std::strtoull(end + 1, nullptr, 16);
  if (stop <= start) return -1;
  const size_t pages = static_cast<size_t>((stop - start) / pageBytes);
  unsigned char vec[256];
  long long resident = 0;
  for (size_t done = 0; done < pages;) {
    const size_t n = pages - done < sizeof vec ? pages - done : sizeof vec;
    if (mincore(reinterpret_cast<void*>(start + done * pageBytes), n * pageBytes, vec) != 0) return -1;
    for (size_t i = 0; i < n; ++i) resident += vec[i] & 1;
    done += n;
  }
  return resident;
}

// A full sample. noinline keeps its buffers out of the recursing frames.
__attribute__((noinline)) void WriteSample(RecurseState* s, uint64_t depth, uintptr_t sp) {
  char vmStk[96] = "";
  char stackMap[320] = "";
  long long residentPages = -1;
  ForEachLine("/proc/self/status", [&](const char* line, size_t length) {
    if (!StartsWith(line, length, "VmStk:")) return true;
    JsonEscape(line, length, vmStk, sizeof vmStk);
    return false;
  });
  ForEachLine("/proc/self/maps", [&](const char* line, size_t length) {
    if (!EndsWith(line, length, "[stack]")) return true;
    JsonEscape(line, length, stackMap, sizeof stackMap);
    residentPages = ResidentPages(line, s->pageBytes);
    return false;
  });
  char record[kRecordBytes];
  int n = std::snprintf(record, sizeof record,
                        "{\"type\":\"record\",\"value\":{\"kind\":\"sample\",\"depthFrames\":%" PRIu64
                        ",\"stackPointer\":\"0x%" PRIxPTR "\",\"depthBytes\":%" PRIu64
                        ",\"vmStkLine\":\"%s\",\"stackMapLine\":\"%s\",\"stackResidentPages\":%lld}}\n",
                        depth, sp, static_cast<uint64_t>(s->top - sp), vmStk, stackMap, residentPages);
  if (n > 0) WriteAll(s->fd, record, static_cast<size_t>(n) < sizeof record ? static_cast<size_t>(n) : sizeof record - 1);
}

// Appends `text` (NUL-terminated) or a decimal number; returns the new end.
VMPROBE_MEASURED char* Append(char* out, const char* text) {
  while (*text != '\0') *out++ = *text++;
  return out;
}
VMPROBE_MEASURED char* AppendDecimal(char* out, uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

// Formatted by hand, not with snprintf: printf needs kilobytes of stack, and a mark is
// written at every page of depth, at most one frame from the limit. Its own stack use
// must stay far below a page so the deepest mark is within a frame of the death.
__attribute__((noinline)) VMPROBE_MEASURED void WriteMark(RecurseState* s, uint64_t depth, uint64_t depthBytes) {
  char record[128];
  char* end = Append(record, "{\"type\":\"record\",\"value\":{\"kind\":\"mark\",\"depthFrames\":");
  end = AppendDecimal(end, depth);
  end = Append(end, ",\"depthBytes\":");
  end = AppendDecimal(end, depthBytes);
  end = Append(end, "}}\n");
  WriteAll(s->fd, record, static_cast<size_t>(end - record));
}

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
      WriteMark(s, depth, depthBytes);
      s->nextMarkBytes = (depthBytes / s->pageBytes + 1) * s->pageBytes;
    }
    if (s->sampleEveryFrames != 0 && depth % s->sampleEveryFrames == 0) WriteSample(s, depth, frameLow);
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
  Napi::Object o = Napi::Object::New(env);
  o.Set("elapsedNs", Napi::Number::New(env, static_cast<double>(c.elapsedNs)));
  o.Set("iterations", Napi::Number::New(env, static_cast<double>(iterations)));
  o.Set("minorFaults", Napi::Number::New(env, static_cast<double>(c.minorFaults)));
  return o;
}

}  // namespace vmprobe
