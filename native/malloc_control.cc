// malloc_control.cc — the program break, and glibc's malloc controls and statistics.
//
// Follows sbrk(2), mallopt(3), malloc_trim(3), mallinfo2(3), malloc_info(3).
// mallopt and malloc_trim change the malloc state of the WHOLE process (every thread,
// every arena): the experiment calls them only in a child process. Everything but
// sbrk(0) is a glibc extension: built against another C library, those entry points
// throw ERR_VMPROBE_UNSUPPORTED (decided at compile time, #ifdef __GLIBC__).
// malloc_info's XML is returned as text; TypeScript parses it (lib/malloc/info.ts).
#include "malloc_control.h"

#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "args.h"
#include "constants.h"
#include "errors.h"

namespace vmprobe {

namespace {


#ifndef __GLIBC__
[[noreturn]] void ThrowNotGlibc(Napi::Env env, const char* call) {
  ThrowUnsupported(env, std::string(call) +
                            " is a glibc extension; this addon was built against a C library other than glibc (musl or another)");
}
#endif

}  // namespace

// programBreak() → sbrk(0) as a bigint: the current end of the brk heap.
Napi::Value ProgramBreak(const Napi::CallbackInfo& info) {
  void* brk = sbrk(0);
  if (brk == reinterpret_cast<void*>(-1)) {
    int err = errno;
    ThrowErrno(info.Env(), err, "sbrk", "sbrk(0)");
  }
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(brk)));
}

// mallopt(name, value) → true when glibc accepted the value (mallopt returns 1), false
// when it refused it (returns 0; errno is not set). Changes process-wide state.
Napi::Value Mallopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef __GLIBC__
  const NamedValue& param = ReadNamed(info[0], "param", kMalloptTable);
  // mallopt takes an int; negative M_TRIM_THRESHOLD (-1 disables trimming) is allowed.
  Napi::Value v = info[1];
  if (!v.IsNumber()) ThrowArgType(env, "value", "of type number", v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < -2147483648.0 || d > 2147483647.0) {
    ThrowOutOfRange(env, "value", "an integer >= -2147483648 and <= 2147483647", FormatNumber(d));
  }
  return Napi::Boolean::New(env, mallopt(static_cast<int>(param.value), static_cast<int>(d)) == 1);
#else
  ThrowNotGlibc(env, "mallopt");
#endif
}

// mallocTrim(padBytes) → true when some memory was returned to the system. Walks every
// arena of the process (process-wide effect).
Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef __GLIBC__
  const size_t pad = ReadCount(info[0], "padBytes", 0, kMaxSafeInteger);
  return Napi::Boolean::New(env, malloc_trim(pad) == 1);
#else
  ThrowNotGlibc(env, "malloc_trim");
#endif
}

// mallinfo2() → the ten fields of struct mallinfo2, in bytes / counts (glibc >= 2.33).
Napi::Value Mallinfo2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
  struct mallinfo2 mi = mallinfo2();
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* key, size_t value) { o.Set(key, Napi::Number::New(env, static_cast<double>(value))); };
  set("arenaBytes", mi.arena);
  set("freeChunks", mi.ordblks);
  set("fastbinChunks", mi.smblks);
  set("mmappedChunks", mi.hblks);
  set("mmappedBytes", mi.hblkhd);
  set("fastbinFreeBytes", mi.fsmblks);
  set("inUseBytes", mi.uordblks);
  set("freeBytes", mi.fordblks);
  set("topReleasableBytes", mi.keepcost);
  return o;
#elif defined(__GLIBC__)
  ThrowUnsupported(env, std::string("mallinfo2 needs glibc >= 2.33; this addon was built against glibc ") +
                            std::to_string(__GLIBC__) + "." + std::to_string(__GLIBC_MINOR__));
#else
  ThrowNotGlibc(env, "mallinfo2");
#endif
}

// mallocInfo() → malloc_info(0, …)'s XML, written to a memory stream.
Napi::Value MallocInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef __GLIBC__
  char* text = nullptr;
  size_t length = 0;
  FILE* stream = open_memstream(&text, &length);
  if (stream == nullptr) {
    int err = errno;
    ThrowErrno(env, err, "open_memstream", "");
  }
  const int rc = malloc_info(0, stream);
  const int savedErrno = errno;
  std::fclose(stream);  // flushes: text/length are valid after this
  std::string xml(text == nullptr ? "" : text, length);
  std::free(text);
  if (rc != 0) ThrowErrno(env, savedErrno, "malloc_info", "");
  return Napi::String::New(env, xml);
#else
  ThrowNotGlibc(env, "malloc_info");
#endif
}

}  // namespace vmprobe
