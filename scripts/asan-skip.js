// Preloaded (NODE_OPTIONS=--require) by scripts/test-asan.js only: in a test file, marks
// the node:test tests whose names match a group in VMPROBE_ASAN_SKIP (JSON: the PERTURBED
// list, [{ why, patterns }]) as skipped, giving that group's reason.
// (node 20's --test-name-pattern cannot exclude: a pattern also matches the root test.)
// In any other process (experiment children, workers) it does nothing.
'use strict';
const groups = process.env.VMPROBE_ASAN_SKIP;
if (groups && /\.test\.js$/.test(process.argv[1] || '')) {
  const nodeTest = require('node:test');
  const perturbed = JSON.parse(groups).map((g) => ({ why: g.why, re: new RegExp(g.patterns.join('|')) }));
  const original = nodeTest.test;
  const wrapped = function test(name, options, fn) {
    const group = typeof name === 'string' ? perturbed.find((g) => g.re.test(name)) : undefined;
    if (group) {
      const body = typeof options === 'function' ? options : fn;
      return original(name, { skip: `under AddressSanitizer: ${group.why} (scripts/test-asan.js)` }, body);
    }
    return original.apply(this, arguments);
  };
  Object.assign(wrapped, original);
  nodeTest.test = wrapped;
}
