/**
 * The preloadable agent: `node -r vmprobe/agent app.js` (package export "./agent"). It
 * listens on a unix socket in a directory only its user can enter (agent-socket.ts) and
 * answers one request, "runtime\n", with one JSON line of this process's runtime figures
 * (V8 heap spaces, process.memoryUsage(), mallinfo2): then `vmprobe explain --pid N`
 * splits the anonymous memory as precisely as in-process. No network port; the server
 * does not keep the app alive; the socket is removed at exit. Main thread only.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { isMainThread } from 'node:worker_threads';
import { loadCapture } from './load-capture';
import { agentSocketPath } from './agent-socket';

function start(): void {
  if (!isMainThread) return;
  const capture = loadCapture();
  if (capture === null) return;
  const { captureRuntime } = capture;
  let socketPath: string;
  try {
    socketPath = agentSocketPath(process.pid);
    fs.rmSync(socketPath, { force: true });
  } catch (error) {
    process.emitWarning(`vmprobe agent not started: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const server = net.createServer((socket) => {
    let line = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      line += chunk;
      if (!line.includes('\n')) {
        if (line.length > 64) socket.destroy();
        return;
      }
      if (line.startsWith('runtime\n')) socket.end(`${JSON.stringify(captureRuntime())}\n`);
      else socket.destroy();
    });
    socket.on('error', () => socket.destroy());
  });
  server.on('error', (error) => process.emitWarning(`vmprobe agent: ${error.message}`));
  server.listen(socketPath, () => {
    try { fs.chmodSync(socketPath, 0o600); } catch { /* the directory is 0700 anyway */ }
  });
  server.unref();
  process.on('exit', () => { try { fs.rmSync(socketPath, { force: true }); } catch { /* gone already */ } });
}

start();
