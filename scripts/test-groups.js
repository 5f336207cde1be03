// Test files grouped by what they depend on, for the CI runs that need not repeat them.
// `.ci/run` runs the whole suite on the machine's Node; on every other release
// (scripts/test-node-release.sh) it leaves out ONCE, and under ASan (scripts/test-asan.js)
// ONCE and NOT_NATIVE. Names are paths under test/ without .test.ts; a name ending in '/'
// stands for the folder. scripts/run-tests.js --except= takes the same names.
'use strict';

/**
 * Run once per CI, on the machine's Node: what they check cannot depend on the Node
 * release, or is checked per release by another file.
 */
const ONCE = {
  why: 'the report page is rendered by Chromium, not by Node (the report behind it is produced and schema-checked on every release by report/run and report/schema); comment-paths reads the repository\'s text; the stability run (3 reports, ~70 s) checks the verdict rules on this host, whose verdicts per release report/run checks; the tarball install (~70 s) is npm\'s and scripts/ensure-addon.js\'s path, and the addon build against each release\'s headers is what scripts/test-node-release.sh does before its run',
  files: ['render/page', 'render/page-views', 'package/comment-paths', 'report/stability', 'package/install'],
};

/**
 * Not run under ASan as well: no sanitized native code of their own. The packed
 * tarball builds its own, unsanitized addon; the CLI, report and docs tests drive the
 * same probes and experiments whose own tests (memory/, pages/, malloc/, experiments/, …)
 * run them under ASan.
 */
const NOT_NATIVE = {
  why: 'no native code of their own: the packed tarball builds its own unsanitized addon; the CLI, report and docs tests drive the probes and experiments whose own tests run under ASan',
  files: ['package/docs', 'cli/', 'report/run', 'report/schema', 'render/'],
};

module.exports = { ONCE, NOT_NATIVE };

if (require.main === module) {
  // `node scripts/test-groups.js NAME [NAME]` prints --except=... for the groups (for shell scripts).
  const names = process.argv.slice(2);
  const groups = names.map((n) => module.exports[n]);
  if (names.length === 0 || groups.some((g) => g === undefined)) {
    console.error(`usage: node scripts/test-groups.js ${Object.keys(module.exports).join('|')} [...]`);
    process.exit(2);
  }
  console.log(`--except=${groups.flatMap((g) => g.files).join(',')}`);
}
