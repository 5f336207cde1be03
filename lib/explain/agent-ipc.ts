/**
 * The agent that `vmprobe explain -- node app.js` preloads into the child (NODE_OPTIONS
 * --require). It answers its parent only, over the IPC channel the parent opened: on
 * { type: 'vmprobe-explain' } it replies with an in-process capture (V8 spaces,
 * memoryUsage, mallinfo2 next to its own smaps). At exit it writes a last capture to
 * VMPROBE_EXPLAIN_EXIT_FILE (written to a temporary name, then renamed). It opens no
 * socket and no port, and does nothing in worker threads or without a parent channel.
 */
import * as fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { loadCapture } from './load-capture';
import { AGENT_REPLY, AGENT_REQUEST } from './agent-ipc-names';

function install(): void {
  if (!isMainThread) return;
  const capture = loadCapture();
  if (capture === null) return;
  const { captureMemory } = capture;
  const send = process.send?.bind(process);
  if (send !== undefined) {
    process.on('message', (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type !== AGENT_REQUEST) return;
      try {
        send({ type: AGENT_REPLY, capture: captureMemory() });
      } catch (error) {
        send({ type: AGENT_REPLY, error: String(error) });
      }
    });
    // The channel must not keep the app alive: it exits when its own work is done.
    process.channel?.unref();
  }
  const exitFile = process.env['VMPROBE_EXPLAIN_EXIT_FILE'];
  if (exitFile !== undefined && exitFile !== '') {
    process.on('exit', () => {
      try {
        const tmp = `${exitFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(captureMemory()));
        fs.renameSync(tmp, exitFile);
      } catch { /* the parent reports the exit capture as missing */ }
    });
  }
  delete process.env['VMPROBE_EXPLAIN_EXIT_FILE'];
}

install();
