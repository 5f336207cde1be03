// handle.h — the lifecycle the addon's handles share (Mapping, HeapBlock, BlockSet): a
// guarded constructor, EnsureOpen (ERR_VMPROBE_CLOSED once released), the `closed` and
// `creation` accessors and an idempotent release method. A handle T derives from
// Handle<T> and provides:
//   static constexpr const char* kKind;        // "heap block": names it in errors
//   static constexpr const char* kReleasedBy;  // "free": the method that releases it
//   bool IsOpen() const;                       // false once released
//   void Release();                            // idempotent; no JS, nothing that throws
// (the last two may be private with `friend class Handle<T>`). Mapping releases through
// its own unmap(), which needs more than Release, and so has no Release.
#ifndef VMPROBE_HANDLE_H
#define VMPROBE_HANDLE_H

#include <napi.h>

#include "errors.h"
#include "measure.h"

namespace vmprobe {

template <typename T>
class Handle : public Napi::ObjectWrap<T> {
 public:
  explicit Handle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}

 protected:
  using Method = Napi::Value (T::*)(const Napi::CallbackInfo&);

  // Runs the body of T's constructor. Hazard: a C++ exception out of an ObjectWrap
  // constructor makes ~ObjectWrap call napi_remove_wrap, which fails in a terminating
  // env and leaves a finalizer that deletes freed memory. So an error runs
  // `releaseOnError` (give back what the body acquired) and leaves as a pending JS
  // exception; the object stays behind as a closed handle.
  template <typename Body, typename ReleaseOnError>
  void Construct(const Napi::CallbackInfo& info, Body body, ReleaseOnError releaseOnError) {
    try {
      body();
    } catch (const Napi::Error& e) {
      releaseOnError();
      napi_throw(info.Env(), e.Value());  // fails only when JS cannot run: then nobody is left to tell
    }
  }

  void EnsureOpen(Napi::Env env) const {
    if (!static_cast<const T*>(this)->IsOpen()) ThrowClosed(env, T::kKind, T::kReleasedBy);
  }

  // For T::Define: `closed`, `creation`, and the release method named `name`. (The
  // run-time overloads: a member of this base, converted to a member of T, is not a
  // valid template argument.)
  static Napi::ClassPropertyDescriptor<T> ClosedAccessor() {
    return Napi::ObjectWrap<T>::InstanceAccessor("closed", static_cast<Method>(&Handle::GetClosed), nullptr);
  }
  static Napi::ClassPropertyDescriptor<T> CreationAccessor() {
    return Napi::ObjectWrap<T>::InstanceAccessor("creation", static_cast<Method>(&Handle::GetCreation), nullptr);
  }
  static Napi::ClassPropertyDescriptor<T> ReleaseMethod(const char* name) {
    return Napi::ObjectWrap<T>::InstanceMethod(name, static_cast<Method>(&Handle::CallRelease));
  }

  Counters creation_;  // faults and time of the call that acquired the resource

 private:
  Napi::Value GetClosed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !static_cast<const T*>(this)->IsOpen());
  }
  Napi::Value GetCreation(const Napi::CallbackInfo& info) { return CountersToJs(info.Env(), creation_); }
  Napi::Value CallRelease(const Napi::CallbackInfo& info) {
    static_cast<T*>(this)->Release();
    return info.Env().Undefined();
  }
};

}  // namespace vmprobe

#endif  // VMPROBE_HANDLE_H
