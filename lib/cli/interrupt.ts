/**
 * Ctrl-C for a command that ends cleanly on it (`explain --watch` stops sampling, writes its
 * --html page and exits 0). The CLI's SIGINT handler (lib/cli/main.ts) offers the signal
 * here first; with nothing registered it kills the children and exits 130.
 */

let pending: (() => void) | null = null;

/**
 * Registers `onInterrupt` for the next SIGINT only (a second Ctrl-C exits 130 as usual).
 * Returns a function that unregisters it (call it when the command ends).
 */
export function handleNextInterrupt(onInterrupt: () => void): () => void {
  pending = onInterrupt;
  return () => { if (pending === onInterrupt) pending = null; };
}

/** Called by the CLI on SIGINT: runs and drops the registered handler; false when there was none. */
export function takeInterrupt(): boolean {
  const handler = pending;
  if (handler === null) return false;
  pending = null;
  handler();
  return true;
}
