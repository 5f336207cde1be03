// Switching the host's THP mode for one measurement, always restoring it. The mode is
// global: the measurement runs in a child (runInChild) while the mode is set, and the
// original values are written back in a finally block and, should this process exit
// mid-switch, from a process 'exit' handler.
import * as fs from 'node:fs';
import { parseBracketedChoice } from '../../lib/system/kernel-settings';

const THP_DIR = '/sys/kernel/mm/transparent_hugepage';
const ENABLED = `${THP_DIR}/enabled`;
const USE_ZERO_PAGE = `${THP_DIR}/use_zero_page`;

/** The THP settings a test may switch to. */
export interface ThpMode { enabled: 'always' | 'madvise' | 'never'; useZeroPage: 0 | 1 }

/** The host's current THP settings, or null without THP. */
export function currentThpMode(): ThpMode | null {
  try {
    const enabled = parseBracketedChoice(fs.readFileSync(ENABLED, 'utf8')) as ThpMode['enabled'];
    const useZeroPage = fs.readFileSync(USE_ZERO_PAGE, 'utf8').trim() === '1' ? 1 : 0;
    return { enabled, useZeroPage };
  } catch {
    return null;
  }
}

/** Why THP cannot be switched here, or null when it can (root, files writable). */
export function thpSwitchUnavailable(): string | null {
  const mode = currentThpMode();
  if (mode === null) return `no ${ENABLED}: this kernel has no transparent huge pages`;
  try {
    fs.accessSync(ENABLED, fs.constants.W_OK);
    fs.accessSync(USE_ZERO_PAGE, fs.constants.W_OK);
    // Writing the current value back proves the write works (read-only sysfs in a container fails here).
    fs.writeFileSync(ENABLED, mode.enabled);
  } catch (err) {
    return `cannot write ${THP_DIR} (${(err as NodeJS.ErrnoException).code ?? String(err)}): switching THP modes needs root on a writable sysfs`;
  }
  return null;
}

function write(mode: ThpMode): void {
  fs.writeFileSync(ENABLED, mode.enabled);
  fs.writeFileSync(USE_ZERO_PAGE, String(mode.useZeroPage));
}

/**
 * Sets `mode`, runs `measure` (which must do its measuring in a child process) and
 * restores the original settings whatever happens; verifies the restore.
 */
export function withThpMode<T>(mode: ThpMode, measure: () => T): T {
  const original = currentThpMode();
  if (original === null) throw new Error('no THP on this kernel');
  const restore = (): void => write(original);
  process.on('exit', restore);
  try {
    write(mode);
    return measure();
  } finally {
    restore();
    process.removeListener('exit', restore);
    const now = currentThpMode();
    if (now?.enabled !== original.enabled || now.useZeroPage !== original.useZeroPage) {
      throw new Error(`THP settings not restored: ${JSON.stringify(now)} instead of ${JSON.stringify(original)}`);
    }
  }
}
