/**
 * How deep JS recursion gets before V8 throws RangeError, and the stack in use there
 * (threadStack(), native/stack.cc). Runs in a stack child: when V8's limit lies beyond
 * what RLIMIT_STACK lets the stack grow to, the process dies of SIGSEGV in here instead.
 */
import { threadStack } from '../../stack/probes';

/** The depth at the RangeError: JS frames, and bytes of stack in use. */
export interface JsDepthReached { frames: number; depthBytes: number }

/**
 * Recurses until RangeError and returns the deepest frame. `onFrame`, when given, is
 * called on the way down with each frame's depth (to report progress before a death).
 */
export function measureJsDepth(onFrame?: (frames: number) => void): JsDepthReached {
  let deepest: JsDepthReached | null = null;
  // The catch runs in the deepest frame; if the native call there (or onFrame) overflows
  // V8's limit too, the RangeError lands one frame up, which records instead.
  const dive = (depth: number): void => {
    try {
      onFrame?.(depth);
      dive(depth + 1);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      if (deepest === null) deepest = { frames: depth, depthBytes: threadStack().inUseBytes };
    }
  };
  dive(1);
  if (deepest === null) throw new Error('JS recursion ended without a RangeError');
  return deepest;
}
