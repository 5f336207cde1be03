// constants.h — the addon's name→value tables (madvise advice, protections, rlimits,
// mallopt parameters, fadvise advice) and its limits, in ONE place. Native code looks
// names up here by name, never by position; the addon exports the tables as
// `constants` so the TypeScript side can check its literal name unions against them
// at load (lib/native/tables.ts).
#ifndef VMPROBE_CONSTANTS_H
#define VMPROBE_CONSTANTS_H

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace vmprobe {

// One named constant. For madvise advice (and mallopt off glibc) `value` is -1 where
// the headers this addon was built with do not define it (mallopt's own parameters are
// negative numbers: M_TRIM_THRESHOLD is -1). `einvalHint` (or nullptr) explains an
// EINVAL the kernel gives for it.
struct NamedValue {
  const char* name;
  long value;
  const char* einvalHint;
};

struct NamedTable {
  const NamedValue* entries;
  size_t size;
};

extern const NamedTable kAdviceTable;      // madvise(2) advice: 'dontneed' is MADV_DONTNEED
extern const NamedTable kProtectionTable;  // mmap/mprotect protection
extern const NamedTable kRlimitTable;      // getrlimit/setrlimit resources: 'stack' is RLIMIT_STACK
extern const NamedTable kMalloptTable;     // glibc mallopt(3) parameters (value -1 off glibc)
extern const NamedTable kFadviseTable;     // posix_fadvise(2) advice
extern const NamedTable kFaultTargetTable; // layoutFault targets (value: the FaultTarget enumerator)

// Smallest and largest frame one stack-recursion level may take, in bytes.
constexpr uint64_t kMinFrameBytes = 16;
constexpr uint64_t kMaxFrameBytes = 16 * 1024 * 1024;

// The entry of `table` named by the string `v`; throws ERR_INVALID_ARG_TYPE /
// ERR_INVALID_ARG_VALUE naming `argName` and listing the names otherwise.
const NamedValue& ReadNamed(const Napi::Value& v, const char* argName, const NamedTable& table);

// The entry whose value is `value`, or nullptr.
const NamedValue* FindByValue(const NamedTable& table, long value);

// JS: the `constants` export: { advice, protection, rlimit, mallopt, fadvise: { name: value },
// limits: { maxRuns, minFrameBytes, maxFrameBytes } }.
Napi::Object ConstantsToJs(Napi::Env env);

}  // namespace vmprobe

#endif  // VMPROBE_CONSTANTS_H
