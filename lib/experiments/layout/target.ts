/**
 * Reading another process for `vmprobe layout --pid`: whatever its state, the reading
 * either succeeds with a non-empty map or ends in one clear coded error. The kernel
 * shows an empty /proc/<pid>/maps for a process with no mm (a zombie after exit_mm, a
 * kernel thread: fs/proc/task_mmu.c, m_start returns NULL without an mm), and any
 * /proc/<pid>/* read fails with ENOENT/ESRCH once the process is reaped.
 */
import { readStatus, type ProcStatus } from '../../proc/status';
import { isCodedError, noAddressSpace } from '../../util/errors';

/** Why `pid` has no address space to read, from its status; null when it should have one. */
export function noAddressSpaceReason(pid: number, status: ProcStatus): string | null {
  const who = `process ${pid} (${status.name})`;
  if (status.raw['Kthread'] === '1' || (status.ppid === 2 || pid === 2) && status.vmSizeBytes === undefined) {
    return `${who} is a kernel thread: it has no user address space to map`;
  }
  if (status.state === 'Z') return `${who} is a zombie: it has exited and its address space is gone (its parent has not reaped it)`;
  if (status.state === 'X') return `${who} is exiting: its address space is gone`;
  if (status.vmSizeBytes === undefined) return `${who} (state ${status.state}) has no address space (no VmSize in /proc/${pid}/status)`;
  return null;
}

function exitedError(pid: number, err: unknown): Error {
  const code = isCodedError(err) ? err.code : 'ERROR';
  return noAddressSpace(`process ${pid} exited while it was being read (${code}): no map to report`);
}

/**
 * Runs `read` (every /proc read of the target) and makes sure it saw an address space:
 * refuses a process with none before reading, and turns a process that vanished or lost
 * its mm mid-read (a read failing with ENOENT/ESRCH, or an empty map) into
 * `ERR_VMPROBE_NO_ADDRESS_SPACE` naming the pid and why. Other errors (EACCES…) pass.
 * `readStatusOf` is the status reader (a test may replace it to simulate an exit).
 */
export function readTarget<T>(pid: number, read: () => T, isEmpty: (result: T) => boolean, readStatusOf: (pid: number) => ProcStatus = readStatus): T {
  const statusOrExit = (): ProcStatus => {
    try {
      return readStatusOf(pid);
    } catch (err) {
      if (isCodedError(err) && (err.code === 'ENOENT' || err.code === 'ESRCH')) throw exitedError(pid, err);
      throw err;
    }
  };
  const before = noAddressSpaceReason(pid, statusOrExit());
  if (before !== null) throw noAddressSpace(before);
  let result: T;
  try {
    result = read();
  } catch (err) {
    if (isCodedError(err) && (err.code === 'ENOENT' || err.code === 'ESRCH')) throw exitedError(pid, err);
    throw err;
  }
  if (isEmpty(result)) {
    const after = noAddressSpaceReason(pid, statusOrExit());
    throw noAddressSpace(after ?? `process ${pid} showed an empty map while it was being read (it is exiting)`);
  }
  return result;
}
