// The short soak (issue 7.3) that runs in `npm test`: 2,000 map/touch/residency/unmap
// and 2,000 malloc/touch/free cycles on the main thread and on each of 4 workers at
// once, in a child started with --expose-gc. The same checks as `npm run soak`
// (bench/soak.ts: 100,000 cycles): RSS within 1% of the post-warm-up baseline, no fd
// growth, no live handle left once the finalizers ran.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runChildJson } from './helpers/expect-code';
import type { SoakFigures } from '../bench/soak';

const SOAK = path.resolve(__dirname, '..', 'bench', 'soak.js');

test('short soak: 2,000 cycles per thread, 4 workers at once: RSS within 1%, no fd growth, no live handles after gc', (t) => {
  const out = runChildJson(`
    const soak = require(${JSON.stringify(SOAK)});
    soak.runSoak({ mapCycles: 2000, heapCycles: 2000, workers: 4 }).then((f) => {
      console.log(JSON.stringify({ figures: f, lines: soak.formatSoak(f), problems: soak.soakProblems(f) }));
    });
  `, { nodeArgs: ['--expose-gc'], timeoutMs: 120_000 }) as { figures: SoakFigures; lines: string[]; problems: string[] };
  for (const line of out.lines) t.diagnostic(line);
  assert.equal(out.figures.forgottenHandles, 5 * 2 * 2, 'two handles forgotten per 1,000 cycles kind, on 5 threads');
  assert.deepEqual(out.problems, [], out.lines.join('\n'));
});
