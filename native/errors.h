// errors.h — the one place native code builds the errors it throws.
//
// Every error carries a stable `code` (DESIGN.md, "Errors"):
//   - argument errors use Node's own codes (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE,
//     ERR_INVALID_ARG_VALUE) and name the argument, what was given, what is allowed;
//   - failed syscalls look like Node's SystemError: code = errno name, errno (negative,
//     as Node reports it), syscall;
//   - ERR_VMPROBE_UNSUPPORTED for what this host or runtime lacks;
//   - ERR_VMPROBE_CLOSED for any use of a handle after unmap()/free().
// The addon is built with C++ exceptions (node_addon_api_except): a thrown Napi::Error
// becomes the JS exception at the call boundary, after destructors have released
// whatever the call had acquired.
#ifndef VMPROBE_ERRORS_H
#define VMPROBE_ERRORS_H

#include <napi.h>
#include <uv.h>

#include <cstring>
#include <string>

namespace vmprobe {

[[noreturn]] inline void ThrowCoded(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  throw err;
}

// Type errors are TypeError in Node; keep that so `instanceof TypeError` works too.
[[noreturn]] inline void ThrowTypeCoded(Napi::Env env, const char* code, const std::string& message) {
  Napi::TypeError err = Napi::TypeError::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  throw err;
}

[[noreturn]] inline void ThrowRangeCoded(Napi::Env env, const char* code, const std::string& message) {
  Napi::RangeError err = Napi::RangeError::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  throw err;
}

// `savedErrno` must be captured right after the failing call, before anything else
// (even a destructor) can overwrite errno.
[[noreturn]] inline void ThrowErrno(Napi::Env env, int savedErrno, const char* syscall,
                                    const std::string& detail) {
  // The _r variants: no allocation for unknown errnos, safe across worker threads.
  char name[64];
  uv_err_name_r(-savedErrno, name, sizeof name);
  std::string code = std::strncmp(name, "Unknown", 7) != 0 ? std::string(name) : "E" + std::to_string(savedErrno);
  char text[256];
  uv_strerror_r(-savedErrno, text, sizeof text);
  std::string message = std::string(syscall) + " failed: " + code + " (" + text + ")";
  if (!detail.empty()) message += ": " + detail;
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  err.Set("errno", Napi::Number::New(env, -savedErrno));
  err.Set("syscall", Napi::String::New(env, syscall));
  throw err;
}

// What a failed Node-API call said, for the message of the coded error thrown instead:
// the exception it left pending (taken, so the coded error is the one JS sees) or else
// its last-error text. Call it right after the failed call (any napi call resets both).
inline std::string NapiFailure(Napi::Env env) {
  const napi_extended_error_info* info = nullptr;
  std::string text = napi_get_last_error_info(env, &info) == napi_ok && info != nullptr && info->error_message != nullptr
                         ? info->error_message
                         : "no reason given";
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value thrown;
    napi_value message;
    size_t length = 0;
    char buffer[256];
    if (napi_get_and_clear_last_exception(env, &thrown) == napi_ok &&
        napi_get_named_property(env, thrown, "message", &message) == napi_ok &&
        napi_get_value_string_utf8(env, message, buffer, sizeof buffer, &length) == napi_ok)
      text = std::string(buffer, length);
  }
  return text;
}

[[noreturn]] inline void ThrowUnsupported(Napi::Env env, const std::string& what) {
  ThrowCoded(env, "ERR_VMPROBE_UNSUPPORTED", what);
}

[[noreturn]] inline void ThrowClosed(Napi::Env env, const char* handleKind, const char* closedBy) {
  ThrowCoded(env, "ERR_VMPROBE_CLOSED",
             std::string("this ") + handleKind + " was released by " + closedBy +
                 "() and can no longer be used");
}

}  // namespace vmprobe

#endif  // VMPROBE_ERRORS_H
