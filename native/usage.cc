// usage.cc — resource usage, resource limits and sysconf values (the C library: libc.cc).
//
// Follows getrusage(2), getrlimit(2)/setrlimit(2), sysconf(3).
// Units leave this file named: ru_maxrss is KiB in the kernel and bytes here; CPU
// times are microseconds. RLIM_INFINITY is reported as (and accepted as) Infinity.
#include "usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <string>

#include "args.h"
#include "constants.h"
#include "errors.h"

namespace vmprobe {

namespace {

int ReadLimitName(const Napi::Value& v) {
  return static_cast<int>(ReadNamed(v, "resource", kRlimitTable).value);
}

Napi::Value LimitToJs(Napi::Env env, rlim_t v) {
  if (v == RLIM_INFINITY) return Napi::Number::New(env, INFINITY);
  return Napi::Number::New(env, static_cast<double>(v));
}

rlim_t ReadLimitValue(const Napi::Value& v, const char* name) {
  if (v.IsNumber() && std::isinf(v.As<Napi::Number>().DoubleValue()) && v.As<Napi::Number>().DoubleValue() > 0)
    return RLIM_INFINITY;
  return static_cast<rlim_t>(ReadCount(v, name, 0, kMaxSafeInteger));
}

double Micros(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1e6 + static_cast<double>(tv.tv_usec);
}

}  // namespace

// getrusage(who: 'self' | 'thread' | 'children')
Napi::Value GetRusage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int who[] = {RUSAGE_SELF, RUSAGE_THREAD, RUSAGE_CHILDREN};
  const size_t i = ReadChoice(info[0], "who", {"self", "thread", "children"});
  struct rusage ru;
  if (getrusage(who[i], &ru) != 0) {
    int err = errno;
    ThrowErrno(env, err, "getrusage", "");
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("userCpuUs", Napi::Number::New(env, Micros(ru.ru_utime)));
  o.Set("systemCpuUs", Napi::Number::New(env, Micros(ru.ru_stime)));
  o.Set("maxRssBytes", Napi::Number::New(env, static_cast<double>(ru.ru_maxrss) * 1024));
  o.Set("minorFaults", Napi::Number::New(env, static_cast<double>(ru.ru_minflt)));
  o.Set("majorFaults", Napi::Number::New(env, static_cast<double>(ru.ru_majflt)));
  o.Set("voluntaryContextSwitches", Napi::Number::New(env, static_cast<double>(ru.ru_nvcsw)));
  o.Set("involuntaryContextSwitches", Napi::Number::New(env, static_cast<double>(ru.ru_nivcsw)));
  o.Set("blockInputOps", Napi::Number::New(env, static_cast<double>(ru.ru_inblock)));
  o.Set("blockOutputOps", Napi::Number::New(env, static_cast<double>(ru.ru_oublock)));
  return o;
}

// getrlimit(resource) -> { soft, hard }
Napi::Value GetRlimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int resource = ReadLimitName(info[0]);
  struct rlimit rl;
  if (getrlimit(resource, &rl) != 0) {
    int err = errno;
    ThrowErrno(env, err, "getrlimit", "");
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("soft", LimitToJs(env, rl.rlim_cur));
  o.Set("hard", LimitToJs(env, rl.rlim_max));
  return o;
}

// setrlimit(resource, soft, hard)
Napi::Value SetRlimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int resource = ReadLimitName(info[0]);
  struct rlimit rl;
  rl.rlim_cur = ReadLimitValue(info[1], "soft");
  rl.rlim_max = ReadLimitValue(info[2], "hard");
  if (setrlimit(resource, &rl) != 0) {
    int err = errno;
    ThrowErrno(env, err, "setrlimit", err == EPERM ? "raising a hard limit needs CAP_SYS_RESOURCE" : "");
  }
  return env.Undefined();
}

// sysconf() -> the values experiments need, named with their units.
Napi::Value Sysconf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* key, int name) {
    errno = 0;
    long v = sysconf(name);
    o.Set(key, v < 0 ? env.Null() : Napi::Number::New(env, static_cast<double>(v)));
  };
  set("pageSizeBytes", _SC_PAGESIZE);
  set("physicalPages", _SC_PHYS_PAGES);
  set("availablePhysicalPages", _SC_AVPHYS_PAGES);
  set("onlineProcessors", _SC_NPROCESSORS_ONLN);
  set("clockTicksPerSecond", _SC_CLK_TCK);
  return o;
}


}  // namespace vmprobe
