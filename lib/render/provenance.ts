/**
 * When a report was made and by which vmprobe: the report's own `generatedAt` (ISO 8601
 * UTC) and `vmprobeVersion` when its JSON carries them, otherwise the render time and the
 * version of the running package (read from its package.json at run time, never
 * hard-coded). Shown by the terminal report and the page.
 */
import { vmprobeVersion } from '../util/version';

export { vmprobeVersion };

/** When and by what a report was made. */
export interface Provenance {
  /** ISO 8601 UTC timestamp, e.g. "2026-12-01T01:02:03.456Z". */
  generatedAt: string;
  /** vmprobe's package version, e.g. "0.1.0"; "unknown" when package.json cannot be read. */
  vmprobeVersion: string;
}

/**
 * The provenance of `report`: its `generatedAt` / `vmprobeVersion` string fields when
 * present (set by runReport), else `now` and the running package's version.
 */
export function reportProvenance(report: object, now: Date = new Date()): Provenance {
  const r = report as { generatedAt?: unknown; vmprobeVersion?: unknown };
  return {
    generatedAt: typeof r.generatedAt === 'string' ? r.generatedAt : now.toISOString(),
    vmprobeVersion: typeof r.vmprobeVersion === 'string' ? r.vmprobeVersion : vmprobeVersion(),
  };
}
