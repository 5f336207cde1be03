/**
 * Where the preloadable agent listens: a unix socket in a directory only its user can
 * enter — $XDG_RUNTIME_DIR/vmprobe/ (systemd makes XDG_RUNTIME_DIR 0700 per user), else
 * <tmpdir>/vmprobe-<uid>/ created 0700. A directory that exists but is not owned by
 * this user or is open to others is refused (never a network port, never a shared directory).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CapturedRuntime } from './types';

/** The directory for this user's agent sockets, created 0700 if missing; throws EACCES-coded if unsafe. */
export function agentDirectory(): string {
  const uid = process.getuid?.() ?? 0;
  const runtime = process.env['XDG_RUNTIME_DIR'];
  const dir = runtime !== undefined && runtime !== '' ? path.join(runtime, 'vmprobe') : path.join(os.tmpdir(), `vmprobe-${uid}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw Object.assign(new Error(`${dir} is not a private directory of uid ${uid} (mode ${(st.mode & 0o777).toString(8)}, owner ${st.uid}): the agent will not listen there`), { code: 'EACCES', errno: 13, syscall: 'open' });
  }
  return dir;
}

/** The socket path of the agent in process `pid` (of this user). */
export function agentSocketPath(pid: number): string {
  return path.join(agentDirectory(), `agent-${pid}.sock`);
}

/**
 * Asks the agent in `pid` (if one listens for this user) for its runtime figures. Resolves
 * null when there is no agent or it does not answer within `timeoutMs`. Never throws for
 * a missing agent: explain then reads the process from outside only.
 */
export function askAgent(pid: number, timeoutMs = 2000): Promise<CapturedRuntime | null> {
  let socketPath: string;
  try {
    socketPath = agentSocketPath(pid);
    if (!fs.existsSync(socketPath)) return Promise.resolve(null);
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    let data = '';
    const done = (value: CapturedRuntime | null): void => { clearTimeout(timer); socket.destroy(); resolve(value); };
    const socket = net.createConnection(socketPath, () => socket.write('runtime\n'));
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const nl = data.indexOf('\n');
      if (nl === -1) return;
      try { done(JSON.parse(data.slice(0, nl)) as CapturedRuntime); } catch { done(null); }
    });
    socket.on('error', () => done(null));
    socket.on('end', () => done(null));
  });
}
