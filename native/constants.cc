// constants.cc — the name→value tables of constants.h, from the system headers.
#include "constants.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <string>

#include "args.h"
#include "errors.h"
#include "residency.h"

namespace vmprobe {

namespace {

#ifndef MADV_FREE
#define VMPROBE_NO_MADV_FREE
#endif
#ifndef MADV_HUGEPAGE
#define VMPROBE_NO_MADV_HUGEPAGE
#endif
#ifndef MADV_COLD
#define VMPROBE_NO_MADV_COLD
#endif

const NamedValue kAdvice[] = {
    {"normal", MADV_NORMAL, nullptr},
    {"random", MADV_RANDOM, nullptr},
    {"sequential", MADV_SEQUENTIAL, nullptr},
    {"willneed", MADV_WILLNEED, nullptr},
    {"dontneed", MADV_DONTNEED, nullptr},
#ifdef VMPROBE_NO_MADV_FREE
    {"free", -1, nullptr},
#else
    {"free", MADV_FREE, "MADV_FREE needs Linux 4.5+ and private anonymous memory"},
#endif
#ifdef VMPROBE_NO_MADV_HUGEPAGE
    {"hugepage", -1, nullptr},
    {"nohugepage", -1, nullptr},
#else
    {"hugepage", MADV_HUGEPAGE, nullptr},
    {"nohugepage", MADV_NOHUGEPAGE, nullptr},
#endif
#ifdef VMPROBE_NO_MADV_COLD
    {"cold", -1, nullptr},
    {"pageout", -1, nullptr},
#else
    {"cold", MADV_COLD, "needs Linux 5.4 or later"},
    {"pageout", MADV_PAGEOUT, "needs Linux 5.4 or later"},
#endif
};

const NamedValue kProtection[] = {
    {"none", PROT_NONE, nullptr},
    {"read", PROT_READ, nullptr},
    {"read-write", PROT_READ | PROT_WRITE, nullptr},
};

const NamedValue kRlimit[] = {
    {"as", RLIMIT_AS, nullptr},           {"core", RLIMIT_CORE, nullptr},         {"cpu", RLIMIT_CPU, nullptr},
    {"data", RLIMIT_DATA, nullptr},       {"fsize", RLIMIT_FSIZE, nullptr},       {"locks", RLIMIT_LOCKS, nullptr},
    {"memlock", RLIMIT_MEMLOCK, nullptr}, {"msgqueue", RLIMIT_MSGQUEUE, nullptr}, {"nice", RLIMIT_NICE, nullptr},
    {"nofile", RLIMIT_NOFILE, nullptr},   {"nproc", RLIMIT_NPROC, nullptr},       {"rss", RLIMIT_RSS, nullptr},
    {"rtprio", RLIMIT_RTPRIO, nullptr},   {"rttime", RLIMIT_RTTIME, nullptr},     {"sigpending", RLIMIT_SIGPENDING, nullptr},
    {"stack", RLIMIT_STACK, nullptr},
};

#ifdef __GLIBC__
const NamedValue kMallopt[] = {
    {"M_MMAP_THRESHOLD", M_MMAP_THRESHOLD, nullptr}, {"M_TRIM_THRESHOLD", M_TRIM_THRESHOLD, nullptr},
    {"M_TOP_PAD", M_TOP_PAD, nullptr},               {"M_MMAP_MAX", M_MMAP_MAX, nullptr},
    {"M_ARENA_MAX", M_ARENA_MAX, nullptr},
};
#else
const NamedValue kMallopt[] = {
    {"M_MMAP_THRESHOLD", -1, nullptr}, {"M_TRIM_THRESHOLD", -1, nullptr}, {"M_TOP_PAD", -1, nullptr},
    {"M_MMAP_MAX", -1, nullptr},       {"M_ARENA_MAX", -1, nullptr},
};
#endif

const NamedValue kFadvise[] = {
    {"normal", POSIX_FADV_NORMAL, nullptr},     {"sequential", POSIX_FADV_SEQUENTIAL, nullptr},
    {"random", POSIX_FADV_RANDOM, nullptr},     {"noreuse", POSIX_FADV_NOREUSE, nullptr},
    {"willneed", POSIX_FADV_WILLNEED, nullptr}, {"dontneed", POSIX_FADV_DONTNEED, nullptr},
};

// Values are layout.h's FaultTarget enumerators, in their order.
const NamedValue kFaultTarget[] = {
    {"null", 0, nullptr}, {"small-int", 1, nullptr}, {"kernel", 2, nullptr}, {"text-write", 3, nullptr},
};

template <size_t N>
constexpr NamedTable TableOf(const NamedValue (&entries)[N]) {
  return NamedTable{entries, N};
}

Napi::Object TableToJs(Napi::Env env, const NamedTable& table) {
  Napi::Object o = Napi::Object::New(env);
  for (size_t i = 0; i < table.size; ++i) o.Set(table.entries[i].name, Napi::Number::New(env, static_cast<double>(table.entries[i].value)));
  return o;
}

}  // namespace

const NamedTable kAdviceTable = TableOf(kAdvice);
const NamedTable kProtectionTable = TableOf(kProtection);
const NamedTable kRlimitTable = TableOf(kRlimit);
const NamedTable kMalloptTable = TableOf(kMallopt);
const NamedTable kFadviseTable = TableOf(kFadvise);
const NamedTable kFaultTargetTable = TableOf(kFaultTarget);

const NamedValue& ReadNamed(const Napi::Value& v, const char* argName, const NamedTable& table) {
  std::string list;
  for (size_t i = 0; i < table.size; ++i) list += (list.empty() ? "'" : ", '") + std::string(table.entries[i].name) + "'";
  if (!v.IsString()) ThrowArgType(v.Env(), argName, ("one of " + list).c_str(), v);
  const std::string s = v.As<Napi::String>().Utf8Value();
  for (size_t i = 0; i < table.size; ++i) {
    if (s == table.entries[i].name) return table.entries[i];
  }
  ThrowArgValue(v.Env(), argName, "must be one of " + list + ". Received '" + s + "'");
}

const NamedValue* FindByValue(const NamedTable& table, long value) {
  for (size_t i = 0; i < table.size; ++i) {
    if (table.entries[i].value == value) return &table.entries[i];
  }
  return nullptr;
}

Napi::Object ConstantsToJs(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("advice", TableToJs(env, kAdviceTable));
  o.Set("protection", TableToJs(env, kProtectionTable));
  o.Set("rlimit", TableToJs(env, kRlimitTable));
  o.Set("mallopt", TableToJs(env, kMalloptTable));
  o.Set("fadvise", TableToJs(env, kFadviseTable));
  o.Set("faultTarget", TableToJs(env, kFaultTargetTable));
  Napi::Object limits = Napi::Object::New(env);
  limits.Set("maxRuns", Napi::Number::New(env, static_cast<double>(kMaxRuns)));
  limits.Set("minFrameBytes", Napi::Number::New(env, static_cast<double>(kMinFrameBytes)));
  limits.Set("maxFrameBytes", Napi::Number::New(env, static_cast<double>(kMaxFrameBytes)));
  o.Set("limits", limits);
  return o;
}

}  // namespace vmprobe
