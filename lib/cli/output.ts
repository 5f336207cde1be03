/**
 * Output to a reader that went away: `vmprobe report --json | head -1` closes the pipe
 * before vmprobe has written everything, and the next write fails with EPIPE. Like a
 * Unix tool killed by SIGPIPE (which node ignores), vmprobe then stops at once and
 * quietly, exit 141 (128 + SIGPIPE), after killing its experiments' children.
 */
import { killLiveChildren } from '../child/spawn';

/** Exit status after stdout or stderr was closed early: 128 + SIGPIPE (13). */
export const CLOSED_OUTPUT_EXIT_CODE = 141;

/**
 * Makes an EPIPE on `streams` end the process quietly with CLOSED_OUTPUT_EXIT_CODE
 * (any other stream error is rethrown, as node would).
 */
export function exitQuietlyOnClosedOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  let exiting = false;
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      if (exiting) return;
      exiting = true;
      void killLiveChildren().finally(() => process.exit(CLOSED_OUTPUT_EXIT_CODE));
    });
  }
}
