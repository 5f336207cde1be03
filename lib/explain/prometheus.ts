/**
 * prom-client integration (package export "vmprobe/prometheus"): one gauge, labelled by
 * owner, in the app's own prom-client registry, whose series are this process's
 * explainMemory() owners, read when the registry is scraped (the gauge's collect()
 * callback). No collector, timer or HTTP server of vmprobe's own: the app exposes the
 * registry as it already does. prom-client is an optional peer dependency, loaded only
 * when registerMemoryGauges() is called.
 *
 * Naming follows the Prometheus conventions (base unit bytes, `_bytes` suffix, the
 * partition in a label so that sum() gives the whole).
 */
import type * as PromClient from 'prom-client';
import { explainMemory } from './index';
import { invalidArgType, invalidArgValue, peerMissing } from '../util/errors';
import { rejectUnknownKeys, validateOptions } from '../util/validate';

/** Options of registerMemoryGauges(). */
export interface MemoryGaugeOptions {
  /** Prepended to the metric name `rss_bytes` (default "vmprobe_"); Prometheus name characters only. */
  prefix?: string;
}

/** The one label of the gauge: the owner's id (MemoryBreakdown owners[].id, e.g. "js-heap"). */
export type MemoryGaugeLabel = 'owner';

/** Gauges this module created, so that registering the same one again is recognised. */
const created = new WeakSet<object>();

/** prom-client as the app resolves it; ERR_VMPROBE_PEER_MISSING when it is not installed. */
function loadPromClient(): typeof PromClient {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as typeof PromClient;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // Only prom-client itself being absent is "missing"; a broken install (a dependency of
    // prom-client missing) is rethrown as it is.
    if (code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.startsWith("Cannot find module 'prom-client'")) {
      throw peerMissing('prom-client', 'registerMemoryGauges()', error);
    }
    throw error;
  }
}

const isRegistry = (value: unknown): value is PromClient.Registry =>
  value !== null && typeof value === 'object' &&
  typeof (value as { registerMetric?: unknown }).registerMetric === 'function' &&
  typeof (value as { getSingleMetric?: unknown }).getSingleMetric === 'function';

/**
 * Registers the gauge `<prefix>rss_bytes{owner="…"}` in `registry` (default: prom-client's
 * global `register`) and returns it. At every scrape its collect() callback runs
 * explainMemory() on this process and sets one series per top-level owner (js-heap, other-isolates,
 * external, malloc, stacks, code, files, shared, reserved, anonymous, other when present,
 * changed-between-reads) to that owner's resident bytes; the series of one scrape sum
 * exactly to smaps_rollup's Rss read during that scrape. Series of owners absent from a
 * scrape are dropped (the gauge is reset first). Cost: one explainMemory() per scrape
 * (reads /proc/self/smaps; see docs/explain.md).
 *
 * Registering again into the same registry with the same name is idempotent: the gauge
 * registered before is returned, and nothing is added.
 *
 * Errors: ERR_VMPROBE_PEER_MISSING (`peer: 'prom-client'`) when prom-client cannot be
 * resolved; ERR_INVALID_ARG_TYPE when `registry` is not a prom-client Registry or an
 * option has the wrong type; ERR_INVALID_ARG_VALUE for an unknown option, a prefix that
 * makes an invalid metric name, or a registry already holding a metric of that name that
 * vmprobe did not register. A scrape whose explainMemory() fails rejects
 * `registry.metrics()` with that error (as prom-client does for any collect()).
 */
export function registerMemoryGauges(registry?: PromClient.Registry, options: MemoryGaugeOptions = {}): PromClient.Gauge<MemoryGaugeLabel> {
  const opts = validateOptions(options);
  rejectUnknownKeys(opts, 'options', ['prefix']);
  const prefix = opts['prefix'] ?? 'vmprobe_';
  if (typeof prefix !== 'string') throw invalidArgType('options.prefix', 'of type string', prefix);
  if (!/^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix)) {
    throw invalidArgValue('options.prefix', `must be made of Prometheus metric-name characters ([a-zA-Z_:][a-zA-Z0-9_:]*). Received '${prefix}'`);
  }
  if (registry !== undefined && !isRegistry(registry)) throw invalidArgType('registry', 'a prom-client Registry', registry);
  const client = loadPromClient();
  const target = registry ?? client.register;
  const name = `${prefix}rss_bytes`;
  const existing = target.getSingleMetric(name);
  if (existing !== undefined) {
    if (created.has(existing)) return existing as PromClient.Gauge<MemoryGaugeLabel>;
    throw invalidArgValue('registry', `already has a metric named ${name} that vmprobe did not register (choose another options.prefix)`);
  }
  const gauge = new client.Gauge<MemoryGaugeLabel>({
    name,
    help: 'Resident memory (RSS) of this process by owner, from vmprobe explainMemory() at scrape time; the owners sum to smaps_rollup Rss',
    labelNames: ['owner'],
    registers: [target],
    collect(this: PromClient.Gauge<MemoryGaugeLabel>) {
      const breakdown = explainMemory();
      this.reset();
      for (const o of breakdown.owners) this.set({ owner: o.id }, o.rssBytes);
    },
  });
  created.add(gauge);
  return gauge;
}
