// sigbus_guard.cc — the process-wide SIGBUS handler behind RunCatchingSigbus.
// See sigbus_guard.h for why; follows sigaction(2), sigsetjmp(3), signal-safety(7).
#include "sigbus_guard.h"

#include <signal.h>

#include <mutex>

namespace vmprobe {

namespace {

std::mutex gInstallMutex;
int gUsers = 0;
struct sigaction gPrevious;

// Hazard: the handler reads a thread_local. Its storage is created by the first
// EnterSigbusScope on that thread, outside any signal, so the handler never allocates.
thread_local SigbusScope* tScope = nullptr;

void Handler(int sig, siginfo_t* info, void* context) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(info->si_addr);
  SigbusScope* scope = tScope;
  if (scope != nullptr && at >= scope->lo && at < scope->hi) siglongjmp(scope->jump, 1);
  // Not ours: behave as if this handler were not there.
  if (gPrevious.sa_flags & SA_SIGINFO) {
    if (gPrevious.sa_sigaction != nullptr) gPrevious.sa_sigaction(sig, info, context);
    return;
  }
  if (gPrevious.sa_handler == SIG_IGN) return;
  if (gPrevious.sa_handler == SIG_DFL) {
    signal(sig, SIG_DFL);  // returning re-executes the access, which now takes the default action
    return;
  }
  gPrevious.sa_handler(sig);
}

}  // namespace

void EnterSigbusScope(SigbusScope* scope) {
  {
    std::lock_guard<std::mutex> lock(gInstallMutex);
    if (gUsers++ == 0) {
      struct sigaction action = {};
      action.sa_sigaction = Handler;
      action.sa_flags = SA_SIGINFO | SA_NODEFER;
      sigemptyset(&action.sa_mask);
      sigaction(SIGBUS, &action, &gPrevious);
    }
  }
  tScope = scope;
}

void LeaveSigbusScope() {
  tScope = nullptr;
  std::lock_guard<std::mutex> lock(gInstallMutex);
  if (--gUsers == 0) sigaction(SIGBUS, &gPrevious, nullptr);
}

}  // namespace vmprobe
