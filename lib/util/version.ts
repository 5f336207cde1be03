/** vmprobe's own version, read from its package.json at run time (never hard-coded). */
import * as fs from 'node:fs';
import * as path from 'node:path';

let cachedVersion: string | undefined;

/** The version field of vmprobe's package.json, found by walking up from this file; "unknown" if absent. */
export function vmprobeVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'vmprobe' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    } catch { /* not here: go up */ }
    dir = path.dirname(dir);
  }
  return (cachedVersion = 'unknown');
}
