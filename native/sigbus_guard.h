// sigbus_guard.h — run a touch of a file mapping so that a SIGBUS inside it becomes an
// error instead of killing the process.
//
// Hazard this exists for: touch() checks the file's size right before touching, but
// another process can truncate the file between that check and the access; touching a
// page past the new end of file raises SIGBUS. While a guarded touch runs, a SIGBUS
// handler is installed (once per process, reference-counted across threads); a fault
// whose address lies in the range the calling thread is touching jumps back out with
// siglongjmp, any other SIGBUS is passed to the handler that was there before (or the
// default action, which ends the process as it would have anyway).
// Follows sigaction(2), sigsetjmp(3).
#ifndef VMPROBE_SIGBUS_GUARD_H
#define VMPROBE_SIGBUS_GUARD_H

#include <setjmp.h>

#include <cstdint>

namespace vmprobe {

// The calling thread's guarded range and jump target (internal to the guard).
struct SigbusScope {
  sigjmp_buf jump;
  uintptr_t lo;
  uintptr_t hi;
};
void EnterSigbusScope(SigbusScope* scope);
void LeaveSigbusScope();

// Runs fn(); returns false if fn raised SIGBUS at an address in [lo, hi). fn must own no
// object with a non-trivial destructor (siglongjmp skips destructors).
template <typename F>
bool RunCatchingSigbus(uintptr_t lo, uintptr_t hi, F&& fn) {
  SigbusScope scope;
  scope.lo = lo;
  scope.hi = hi;
  if (sigsetjmp(scope.jump, 1) != 0) {
    LeaveSigbusScope();
    return false;
  }
  EnterSigbusScope(&scope);
  fn();
  LeaveSigbusScope();
  return true;
}

}  // namespace vmprobe

#endif  // VMPROBE_SIGBUS_GUARD_H
