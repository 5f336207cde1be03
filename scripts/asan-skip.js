// Preloaded (NODE_OPTIONS=--require) by scripts/test-asan.js only: in a test file, marks
// the node:test tests whose names match VMPROBE_ASAN_SKIP as skipped, saying why.
// (node 20's --test-name-pattern cannot exclude: a pattern also matches the root test.)
// In any other process (experiment children, workers) it does nothing.
'use strict';
const pattern = process.env.VMPROBE_ASAN_SKIP;
if (pattern && /\.test\.js$/.test(process.argv[1] || '')) {
  const nodeTest = require('node:test');
  const skipRe = new RegExp(pattern);
  const original = nodeTest.test;
  const reason = 'premise broken by AddressSanitizer (see scripts/test-asan.js)';
  const wrapped = function test(name, options, fn) {
    if (typeof name === 'string' && skipRe.test(name)) {
      const body = typeof options === 'function' ? options : fn;
      return original(name, { skip: reason }, body);
    }
    return original.apply(this, arguments);
  };
  Object.assign(wrapped, original);
  nodeTest.test = wrapped;
}
