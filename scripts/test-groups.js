// Test files grouped by what they depend on, for the CI runs that need not repeat them.
// `.ci/run` runs the whole suite on the machine's Node; on every other release
// (scripts/test-node-release.sh) and under ASan (scripts/test-asan.js) it leaves out the
// files below, each group with its reason. Names are test file names without .test.js.
'use strict';

/**
 * Release-independent: what they check does not change with the Node release that runs
 * them. The report page is HTML and SVG rendered by Chromium (the report it draws is
 * produced — on every release — by report.test.js and report-schema.test.js).
 */
const RELEASE_INDEPENDENT = {
  why: 'the page is rendered by Chromium, not by Node; the report behind it runs on this release in report.test.js',
  files: ['report-page', 'report-page-views'],
};

/**
 * Not about the addon's memory safety: packing and installing the tarball into a scratch
 * app (its own, unsanitized addon build), Chromium rendering the page, and three reports
 * in a row compared for their verdicts (which ASan's allocator changes by design).
 */
const NOT_NATIVE = {
  why: 'no sanitized native code runs in them: the packed tarball builds its own addon, Chromium renders the page, and the stability run compares verdicts that ASan\'s allocator changes by design',
  files: ['package', 'report-page', 'report-page-views', 'stability'],
};

module.exports = { RELEASE_INDEPENDENT, NOT_NATIVE };

if (require.main === module) {
  // `node scripts/test-groups.js NAME` prints --except=... for the group (for shell scripts).
  const group = module.exports[process.argv[2] ?? ''];
  if (!group) {
    console.error(`usage: node scripts/test-groups.js ${Object.keys(module.exports).join('|')}`);
    process.exit(2);
  }
  console.log(`--except=${group.files.join(',')}`);
}
