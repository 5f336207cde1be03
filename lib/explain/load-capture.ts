/** How the agents load the capture module (see loadCapture). */
import type * as CaptureModule from './capture';

/**
 * The capture module, loaded on demand rather than imported: it loads vmprobe's addon,
 * and an addon built for another node release must not stop the app from starting.
 * Returns null (after a process warning saying why) when it cannot be loaded.
 */
export function loadCapture(): typeof CaptureModule | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./capture') as typeof CaptureModule;
  } catch (error) {
    process.emitWarning(`vmprobe agent not started: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
