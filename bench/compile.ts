/**
 * The C references: compiles bench/c/*.c with `cc -O2` into a fresh temporary
 * directory at run time (binaries are never committed), runs one and parses the JSON
 * object it prints.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where the C sources are, from dist/bench/compile.js. */
export const C_SOURCE_DIR = path.join(__dirname, '..', '..', 'bench', 'c');

/** The compiled reference programs. */
export interface References {
  /** bench/c/touch.c */
  touchPath: string;
  /** bench/c/mincore_scan.c */
  mincoreScanPath: string;
  /** The temporary directory holding them; remove() deletes it. */
  dir: string;
  remove(): void;
}

function compile(source: string, output: string): void {
  try {
    execFileSync('cc', ['-O2', '-Wall', '-o', output, path.join(C_SOURCE_DIR, source)], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no `cc` on PATH' : stderr || String(err);
    throw new Error(`compiling bench/c/${source} with cc -O2 failed: ${reason}`);
  }
}

/** Compiles every reference; throws with the compiler's message if one fails. */
export function compileReferences(): References {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-bench-'));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const touchPath = path.join(dir, 'touch');
    const mincoreScanPath = path.join(dir, 'mincore_scan');
    compile('touch.c', touchPath);
    compile('mincore_scan.c', mincoreScanPath);
    return { touchPath, mincoreScanPath, dir, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Runs a reference binary with `args` and returns the JSON object it printed. */
export function runReference(binaryPath: string, args: readonly (string | number)[]): unknown {
  const stdout = execFileSync(binaryPath, args.map(String), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(stdout) as unknown;
}
