// child_only.h — a guard for the few native calls that end the process on purpose
// (layoutFault, the stack recursion run until it faults). They exist for vmprobe's own
// child tasks; lib/child/spawn.ts marks its children with VMPROBE_CHILD_TASK=1, and without
// that mark these calls refuse to run, so no importing app can kill itself by mistake.
#ifndef VMPROBE_CHILD_ONLY_H
#define VMPROBE_CHILD_ONLY_H

#include <napi.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "errors.h"

namespace vmprobe {

inline void RequireChildTask(Napi::Env env, const char* what) {
  const char* mark = std::getenv("VMPROBE_CHILD_TASK");
  if (mark == nullptr || std::strcmp(mark, "1") != 0) {
    ThrowUnsupported(env, std::string(what) + " ends the process on purpose and only runs in a vmprobe child process " +
                              "(lib/child/spawn.ts runChild); it is not part of the library API");
  }
}

}  // namespace vmprobe

#endif  // VMPROBE_CHILD_ONLY_H
