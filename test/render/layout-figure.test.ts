// The address-space teaching figure of the page (lib/render/layout-svg.ts and
// lib/render/svg/layout-classic.ts) from a real layout run of this process: the classic
// 32-bit picture with its textbook addresses, the live picture with every zone named in
// the same top-to-bottom order, growth arrows, no repeated labels ("stack (stack)"), no
// internal probe names ("zeroGlobal"), PROT_NONE reservations explained, arena-heap in
// the legend, colours from CSS variables.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { LayoutMeasurements } from '../../lib/experiments/layout/measurements';
import { renderLayoutSvg } from '../../lib/render/layout-svg';
import { renderClassicLayoutSvg } from '../../lib/render/svg/layout-classic';
import { cli } from '../helpers/cli';

/** The visible texts of an SVG (its <text> contents, tags stripped, entities decoded). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'));
}

test('the classic 32-bit figure draws the textbook zones top to bottom at the textbook addresses', () => {
  const t = texts(renderClassicLayoutSvg());
  const order = ['kernel', 'stack', 'mmap area', 'heap', 'data + bss', 'text', 'reserved'].map((z) => t.indexOf(z));
  assert.ok(order.every((i) => i >= 0), `zones missing: ${JSON.stringify(order)} in ${t.join(' | ')}`);
  for (const address of ['0xffffffff', '0xc0000000', '0x08048000', '0x0']) assert.ok(t.includes(address), `address ${address} missing`);
  assert.ok(t.some((s) => s.startsWith('.bss')) && t.some((s) => s.startsWith('.data')) && t.some((s) => s.startsWith('.text')));
});

test('the live figure names the zones, marks growth, explains PROT_NONE reservations, and shows no internal or repeated names', () => {
  const r = cli(['layout', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const m = (JSON.parse(r.stdout) as { measurements: LayoutMeasurements }).measurements;
  const svg = renderLayoutSvg(m);
  const t = texts(svg);
  for (const zone of ['kernel', 'stack', 'mmap area', 'heap', 'data + bss', 'text', 'reserved']) assert.ok(t.includes(zone), `zone ${zone} not named; texts: ${t.slice(0, 20).join(' | ')}`);
  // Same top-to-bottom order as the classic figure where this host has them (a PIE's heap lies above its text).
  assert.ok(t.indexOf('kernel') < t.indexOf('stack') && t.indexOf('stack') < t.indexOf('mmap area'), 'kernel, stack, mmap area top to bottom');
  assert.equal((svg.match(/class="grows"/g) ?? []).length >= 3, true, 'growth arrows for stack, mmap area and heap');
  const repeated = t.filter((s) => /\b(\S+) \(\1\)/.test(s));
  assert.deepEqual(repeated, [], 'labels that repeat themselves');
  assert.ok(!t.some((s) => s.includes('zeroGlobal')), 'an internal probe name is shown');
  assert.ok(t.some((s) => s.includes('◀ probe:')) && t.some((s) => s.includes('.bss global')), 'the .bss global probe is not marked');
  assert.ok(t.includes('arena-heap: glibc thread-arena heaps'), 'no legend entry for arena-heap');
  const reservations = m.regions.filter((x) => x.kind === 'anonymous' && x.perms.startsWith('---')).reduce((n, x) => n + x.sizeBytes, 0);
  if (reservations > 0) assert.ok(t.some((s) => s.startsWith('PROT_NONE reservations')) && t.some((s) => s.includes('address space, no memory')), `${reservations} bytes of PROT_NONE anonymous mappings, none explained`);
  assert.match(svg, /style="fill:var\(--c-heap, #[0-9a-f]{6}\)"/, 'band colours are CSS variables with a fallback');
  for (const kind of new Set(m.regions.map((x) => x.kind))) assert.ok(svg.includes(kind), `the SVG never names kind ${kind}`);
});
