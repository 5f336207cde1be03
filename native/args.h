// args.h — argument readers for native entry points.
//
// The TypeScript layer validates first and gives the friendlier message; these checks
// are the second wall, so that a caller reaching the addon directly (or a TS bug) can
// never hand a NaN, a fraction, a negative or a 2^64 value to mmap/madvise/mincore.
// Wording follows Node's: `The "name" argument must be ...`. Received ...`.
#ifndef VMPROBE_ARGS_H
#define VMPROBE_ARGS_H

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "errors.h"

namespace vmprobe {

constexpr uint64_t kMaxSafeInteger = 9007199254740991ULL;  // 2^53 - 1

inline std::string FormatNumber(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0 && std::signbit(d)) return "-0";
  if (std::floor(d) == d && std::fabs(d) < 1e21) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

// "Received ..." in Node's words.
inline std::string Describe(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "Received undefined";
    case napi_null: return "Received null";
    case napi_boolean: return std::string("Received type boolean (") + (v.As<Napi::Boolean>().Value() ? "true" : "false") + ")";
    case napi_number: return "Received type number (" + FormatNumber(v.As<Napi::Number>().DoubleValue()) + ")";
    case napi_string: {
      std::string s = v.As<Napi::String>().Utf8Value();
      if (s.size() > 28) s = s.substr(0, 25) + "...";
      return "Received type string ('" + s + "')";
    }
    case napi_bigint: return "Received type bigint";
    case napi_symbol: return "Received type symbol";
    case napi_function: return "Received function";
    default: return "Received an instance of Object";
  }
}

[[noreturn]] inline void ThrowArgType(Napi::Env env, const char* name, const char* expected, const Napi::Value& v) {
  ThrowTypeCoded(env, "ERR_INVALID_ARG_TYPE",
                 std::string("The \"") + name + "\" argument must be " + expected + ". " + Describe(v));
}

[[noreturn]] inline void ThrowOutOfRange(Napi::Env env, const char* name, const std::string& allowed, const std::string& received) {
  ThrowRangeCoded(env, "ERR_OUT_OF_RANGE",
                  std::string("The value of \"") + name + "\" is out of range. It must be " + allowed + ". Received " + received);
}

[[noreturn]] inline void ThrowArgValue(Napi::Env env, const char* name, const std::string& why) {
  ThrowTypeCoded(env, "ERR_INVALID_ARG_VALUE", std::string("The argument '") + name + "' " + why);
}

// A whole number of bytes/pages in [min, max], max <= 2^53 - 1.
inline uint64_t ReadCount(const Napi::Value& v, const char* name, uint64_t min, uint64_t max) {
  Napi::Env env = v.Env();
  if (!v.IsNumber()) ThrowArgType(env, name, "of type number", v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (max > kMaxSafeInteger) max = kMaxSafeInteger;
  std::string allowed = "an integer >= " + std::to_string(min) + " and <= " + std::to_string(max);
  if (!std::isfinite(d) || std::floor(d) != d || d < static_cast<double>(min) || d > static_cast<double>(max)) {
    ThrowOutOfRange(env, name, allowed, FormatNumber(d));
  }
  return static_cast<uint64_t>(d);
}

inline uint64_t ReadOptionalCount(const Napi::Object& o, const char* key, uint64_t fallback, uint64_t min, uint64_t max) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  return ReadCount(v, key, min, max);
}

inline bool ReadBool(const Napi::Value& v, const char* name) {
  if (!v.IsBoolean()) ThrowArgType(v.Env(), name, "of type boolean", v);
  return v.As<Napi::Boolean>().Value();
}

inline bool ReadOptionalBool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  return ReadBool(v, key);
}

// One of a fixed set of strings; returns its index in `choices`.
inline size_t ReadChoice(const Napi::Value& v, const char* name, std::initializer_list<const char*> choices) {
  std::string list;
  for (const char* c : choices) list += (list.empty() ? "'" : ", '") + std::string(c) + "'";
  if (!v.IsString()) ThrowArgType(v.Env(), name, ("one of " + list).c_str(), v);
  std::string s = v.As<Napi::String>().Utf8Value();
  size_t i = 0;
  for (const char* c : choices) {
    if (s == c) return i;
    ++i;
  }
  ThrowArgValue(v.Env(), name, "must be one of " + list + ". Received '" + s + "'");
}

// An address as a bigint in [0, 2^64). Used only for mincore/pagemap queries, which
// never dereference it.
inline uint64_t ReadAddress(const Napi::Value& v, const char* name) {
  if (!v.IsBigInt()) ThrowArgType(v.Env(), name, "of type bigint", v);
  bool lossless = false;
  uint64_t a = v.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) ThrowOutOfRange(v.Env(), name, ">= 0n and < 2n ** 64n", "a bigint outside that range");
  return a;
}

inline Napi::Object ReadOptionsObject(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = info[index];
  if (v.IsUndefined()) return Napi::Object::New(info.Env());
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) ThrowArgType(info.Env(), name, "of type object", v);
  return v.As<Napi::Object>();
}

}  // namespace vmprobe

#endif  // VMPROBE_ARGS_H
