#!/usr/bin/env node
// `npm run test:asan`: the whole test suite against an addon built with
// -fsanitize=address,undefined (binding.gyp's VMPROBE_SANITIZE hook).
//
// Clean approach: the sanitized addon is built in a scratch COPY of the package
// (sources, dist/, test fixtures; node_modules linked), never in ./build, so the normal
// addon that `npm test` and `npm start` load is never touched. The suite runs there
// with the ASan runtime preloaded (node itself is not instrumented, so the runtime must
// be loaded first: LD_PRELOAD=$(g++ -print-file-name=libasan.so)). Children inherit it.
//
// ASAN_OPTIONS:
//   detect_leaks=0      V8 and node deliberately leak at exit; LeakSanitizer would only report those.
//   allocator_may_return_null=1  malloc(2^52) returns NULL (ENOMEM) as glibc does, instead of aborting.
//   handle_segv=0, handle_sigbus=0, allow_user_segv_handler=1
//                       the stack and layout experiments kill children with SIGSEGV on
//                       purpose and check the signal; ASan must not turn it into a report.
//   detect_stack_use_after_return=0  (fake stacks would change the stack experiment's depths)
//   max_malloc_fill_size=0  ASan writes 0xbe into the first 4 KiB of every malloc'd block;
//                       that write would fault the block's first page before the test's own
//                       measured touch ("writing k fresh pages of a large malloc block").
//   halt_on_error=1, log_path=<dir>/asan   a finding stops the process and leaves a report file
//                       (an "ERROR:" in it; warnings are printed but are not findings).
// UBSAN_OPTIONS: halt_on_error=1, print_stacktrace=1, log_path=<dir>/ubsan.
// The run is clean when every test that runs passes AND no report holds a finding.
'use strict';
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { ONCE, NOT_NATIVE } = require('./test-groups');
const NOT_UNDER_ASAN = [...ONCE.files, ...NOT_NATIVE.files];

/**
 * Tests whose PREMISE a sanitized process breaks — not memory errors: they measure the
 * process itself, and ASan changes that process. They run in `npm test`; here they are
 * skipped (by name, scripts/asan-skip.js), each with its group's reason. Every other test
 * runs — every exact fault count included: the code between the two getrusage reads is
 * built without ASan instrumentation (VMPROBE_MEASURED, native/measure.h), so no shadow
 * page faults inside a measured call — and any sanitizer finding anywhere fails the run.
 */
const PERTURBED = [
  {
    why: "glibc's arenas are what these measure (explain's malloc rows and free-but-resident figures, full thread-arena heaps, Buffers in the main arena); under ASan its allocator replaces glibc's, so there are no arena heaps and Buffer stores sit in ASan's own regions",
    patterns: ['ArrayBuffer/Buffer row holds', "malloc's free-but-resident memory", 'text output: nested owners', 'the app runs as a child with the agent', 'thread-arena heap filled until', 'full and partly used thread-arena heaps'],
  },
  {
    why: "children that choose their own malloc with LD_PRELOAD (the allocators experiment's, the jemalloc summary test's) replace the inherited ASan runtime preload, and an addon built with ASan cannot load without it first: every such cell fails there (reported as failed, never a crash)",
    patterns: ['a real run under LD_PRELOAD jemalloc', 'load the allocator it names', 'reported missing, with its package', 'reported not-loaded', 'children run their own allocator', 'fragmentation workload keeps more RSS'],
  },
  {
    why: "V8's pages are found by their shape (256 KiB-aligned anonymous mappings below 2^46, lib/explain/v8-shape.ts), and ASan's allocator regions have that shape too: 'other V8 isolates' read 79.1 MiB in an app whose workers hold no JS (+33.7 and +97.2 MiB instead of +48 MiB for 2 × 24 MiB of worker JS)",
    patterns: ['the workers\' JS arrays are in "other-isolates"', 'the JS heap by page shape covers every isolate'],
  },
  {
    why: "ASan's shadow memory reserves tens of TiB of address space, so a WebAssembly reservation is no longer the share of VSZ the 'reservations are not memory' finding speaks of, and a process under ulimit -v cannot even start with the ASan runtime ('ReserveShadowMemoryRange failed')",
    patterns: ['the WebAssembly reservation is PROT_NONE', 'under a small RLIMIT_AS'],
  },
  {
    why: "glibc malloc is replaced by ASan's allocator: no brk [heap], no mmap threshold, freed blocks held in quarantine (not returned, so a warm malloc still gets fresh, faulting memory)",
    patterns: ["malloc'd block", 'lazy\\.malloc-virtual', 'has \\[heap\\]', 'the live figure names the zones', 'the terminal picture marks every probe', 'releases every mapping and heap block', 'allocationCost times', 'reserves address space for alignment', 'large untouched malloc block', 'large calloc block', 'malloc of a large block'],
  },
  {
    why: "glibc's malloc itself is what these measure (chunk headers, the brk heap, the mmap threshold, arenas); under ASan its allocator replaces glibc's, chunkHeader() refuses, and the malloc experiment reports its claims not-applicable",
    patterns: ['malloc\\.\\* claim', 'sweep: the three witnesses', 'the crossover is the first request', 'the break rises with the heap', 'the dynamic threshold rises',
      'mallopt\\(M_MMAP_THRESHOLD\\)', 'carved from a big enough top chunk', 'rounding and the size header', 'free: the break falls', 'allocate from thread arenas',
      'a large malloc is not resident', 'the text rendering shows the chart', 'MALLOC_MMAP_THRESHOLD_=65536', 'mallocInfo\\(\\) of this process', 'under a preloaded jemalloc',
      'chunkHeader', 'drainTop', 'programBreak and mallinfo2', 'a 1 KiB block is brk', 'malloc_trim returns memory', '5,000 rounds of malloc',
      'the carving step with a crossover of 1 B'],
  },
  {
    why: "exact /proc/self/maps lines: ASan's own anonymous mappings sit beside vmprobe's and merge with them into one line",
    patterns: ['a terminated worker releases the mappings it still held'],
  },
  {
    why: 'RSS: shadow memory (1/8 of every touched byte) and redzones are resident too (the lazy step tests leave only their process-RSS cross-check out under ASan, see test/experiments/lazy/run.test.ts)',
    patterns: ['MADV_DONTNEED drops every page'],
  },
  {
    why: "the addon's own layout: ASan pads globals with redzones, adds its own sections and maps its shadow, which the layout probes and the region classifier do not expect",
    patterns: ['probe address lands in a region', 'kill a child with SIGSEGV', "addon's \\.bss", '--pid'],
  },
];
const started = Date.now();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-asan-'));
// Tests that read a process as another user (uid nobody) run children from this copy:
// mkdtemp makes it 0700, which would hide the preload script and dist/ from them.
fs.chmodSync(scratch, 0o755);
const reports = path.join(scratch, 'sanitizer-reports');
fs.mkdirSync(reports);

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status;
}

let status = 1;
try {
  // 1. The copy: tracked files plus the compiled dist/ (build/ left out on purpose).
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(root, f))) continue;
    fs.mkdirSync(path.dirname(path.join(scratch, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(scratch, f));
  }
  fs.cpSync(path.join(root, 'dist'), path.join(scratch, 'dist'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'));

  // 2. The sanitized addon, in the copy's build/.
  const sanitize = 'address,undefined';
  console.log(`== building the addon with -fsanitize=${sanitize} in ${scratch}/build`);
  if (run(process.execPath, [path.join(scratch, 'scripts', 'ensure-addon.js')], { cwd: scratch, env: { ...process.env, VMPROBE_SANITIZE: sanitize } }) !== 0) {
    throw new Error('building the sanitized addon failed');
  }
  const built = path.join(scratch, 'build', 'Release', 'vmprobe.node');
  const linked = execFileSync('ldd', [built], { encoding: 'utf8' });
  if (!/libasan/.test(linked) || !/libubsan/.test(linked)) throw new Error(`${built} is not linked against the sanitizer runtimes:\n${linked}`);

  // 3. The suite, with the runtime preloaded.
  const libasan = execFileSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
  const env = {
    ...process.env,
    LD_PRELOAD: libasan,
    ASAN_OPTIONS: `detect_leaks=0:allocator_may_return_null=1:handle_segv=0:handle_sigbus=0:allow_user_segv_handler=1:detect_stack_use_after_return=0:max_malloc_fill_size=0:halt_on_error=1:log_path=${path.join(reports, 'asan')}`,
    UBSAN_OPTIONS: `halt_on_error=1:print_stacktrace=1:log_path=${path.join(reports, 'ubsan')}`,
    VMPROBE_SANITIZED: sanitize,
    VMPROBE_ASAN_SKIP: JSON.stringify(PERTURBED),
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(scratch, 'scripts', 'asan-skip.js')}`.trim(),
  };
  console.log(`== scripts/run-tests.js (node --test, every dist/test file but ${NOT_UNDER_ASAN.join(', ')}) with LD_PRELOAD=${libasan}`);
  console.log(`== run once, on the machine's Node (${ONCE.why}): ${ONCE.files.join(', ')}`);
  console.log(`== not run under ASan (${NOT_NATIVE.why}): ${NOT_NATIVE.files.join(', ')}`);
  for (const g of PERTURBED) console.log(`== not run under ASan (${g.why}): ${g.patterns.join(' | ')}`);
  const testStatus = run(process.execPath, [path.join(scratch, 'scripts', 'run-tests.js'), `--except=${NOT_UNDER_ASAN.join(',')}`], { cwd: scratch, env });
  // A finding is an ASan ERROR or a UBSan runtime error; warnings (e.g. "failed to
  // allocate 2^52 bytes" when malloc returns NULL by allocator_may_return_null) are shown only.
  const found = [];
  for (const f of fs.readdirSync(reports)) {
    const text = fs.readFileSync(path.join(reports, f), 'utf8');
    const finding = /ERROR: |runtime error:/.test(text);
    if (finding) found.push(f);
    console.error(`== sanitizer ${finding ? 'FINDING' : 'warning'} in ${f}:\n${text}`);
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  if (testStatus === 0 && found.length === 0) {
    console.log(`== test:asan clean: every test that runs passed and no sanitizer finding was reported (${minutes} min)`);
    status = 0;
  } else {
    console.error(`== test:asan FAILED: tests exit ${testStatus}, ${found.length} sanitizer report(s) (${minutes} min)`);
  }
} catch (err) {
  console.error(`test:asan: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  if (!process.env.VMPROBE_KEEP_ASAN_DIR) fs.rmSync(scratch, { recursive: true, force: true });
  else console.log(`(kept ${scratch})`);
}
process.exit(status);
