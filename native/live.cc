// live.cc — the process-wide live-handle counters (see live.h) and their getter.
#include "live.h"

namespace vmprobe {

LiveHandleCounts& LiveHandles() {
  static LiveHandleCounts counts;
  return counts;
}

Napi::Value GetLiveHandles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("mappings", Napi::Number::New(env, static_cast<double>(LiveHandles().mappings.load())));
  out.Set("heapBlocks", Napi::Number::New(env, static_cast<double>(LiveHandles().heapBlocks.load())));
  out.Set("blockSets", Napi::Number::New(env, static_cast<double>(LiveHandles().blockSets.load())));
  return out;
}

}  // namespace vmprobe
