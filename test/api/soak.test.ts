// The short soak (issue 7.3) that runs in `npm test`: 2,000 map/touch/residency/unmap
// and 2,000 malloc/touch/free cycles on the main thread and on each of 4 workers at
// once, in a child started with --expose-gc. The same checks as `npm run soak`
// (bench/soak.ts: 100,000 cycles): no fd growth, no live handle left once the
// finalizers ran (exact), and RSS within 1% of the post-warm-up baseline plus 4 MiB per
// thread: after 2,000 cycles the five V8 heaps have not reached their steady size (the
// full soak, whose rounds are 50 times longer, allows no such margin).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runChildJson } from '../helpers/expect-code';
import type { SoakFigures } from '../../bench/soak';

const SOAK = path.resolve(__dirname, '..', '..', 'bench', 'soak.js');
/** RSS a short run may add beyond 1%: 4 MiB for each of the 5 threads' V8 heaps. */
const SHORT_ALLOWANCE_BYTES = 5 * 4 * 1024 * 1024;

test('short soak: 2,000 cycles per thread, 4 workers at once: no fd growth, no live handles after gc, RSS within 1% + 4 MiB per thread', (t) => {
  const out = runChildJson(`
    const soak = require(${JSON.stringify(SOAK)});
    soak.runSoak({ mapCycles: 2000, heapCycles: 2000, workers: 4, warmupRounds: 2 }).then((f) => {
      console.log(JSON.stringify({ figures: f, lines: soak.formatSoak(f), problems: soak.soakProblems(f, ${SHORT_ALLOWANCE_BYTES}) }));
    });
  `, { nodeArgs: ['--expose-gc'], timeoutMs: 120_000 }) as { figures: SoakFigures; lines: string[]; problems: string[] };
  for (const line of out.lines) t.diagnostic(line);
  assert.equal(out.figures.forgottenHandles, 5 * 2 * 2, 'two handles forgotten per kind of cycle (one in 1,000), on each of 5 threads');
  assert.deepEqual(out.problems, [], out.lines.join('\n'));
});
