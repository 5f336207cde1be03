/**
 * Whose process each layout claim is about. With `--pid P` the map (regions, order,
 * gaps, threads, VmSize) is P's, while the probes, the deliberate faults, the ASLR
 * samples, the bss/data touches and the text pages are vmprobe's own process and its
 * children (they need code running inside the measured process). Each claim says so.
 */
import type { ClaimResult } from '../../report/claims';

/** Who a layout claim's measurements come from. */
export type ClaimSubject =
  /** The examined process's map. */
  | 'target'
  /** vmprobe's own process or the fresh children it starts. */
  | 'vmprobe'
  /** Both: the target's map and vmprobe's probes or children. */
  | 'both';

/** The subject of every layout.* and seg.* claim, by id. */
export const LAYOUT_CLAIM_SUBJECTS: Readonly<Record<string, ClaimSubject>> = {
  'layout.order': 'target',
  'layout.gaps': 'target',
  'layout.mmap-area': 'target',
  'layout.thread-stacks': 'target',
  'layout.aslr': 'vmprobe',
  'layout.user-split': 'target',
  'layout.exec-base': 'target',
  'layout.reserved-low': 'both',
  'layout.kernel-protected': 'vmprobe',
  'layout.maps': 'both',
  'seg.bss-no-file-space': 'vmprobe',
  'seg.bss-zero-page': 'vmprobe',
  'seg.data-faults': 'vmprobe',
  'seg.text-readonly': 'vmprobe',
  'seg.text-shared': 'vmprobe',
};

/** Who was measured, as a claim's `evidence.measuredProcess` records it. */
export interface MeasuredProcess {
  subject: ClaimSubject;
  /** The examined process (`--pid`). */
  targetPid: number;
  /** vmprobe's own process. */
  vmprobePid: number;
}

/**
 * When the target is another process, prefixes each claim's summary with whose process
 * it measured and adds `evidence.measuredProcess`; with the target vmprobe itself the
 * claims are returned unchanged. Throws for a claim id without a known subject (a new
 * claim must say whose it is).
 */
export function labelClaimSubjects(claims: readonly ClaimResult[], targetPid: number, vmprobePid: number): ClaimResult[] {
  if (targetPid === vmprobePid) return [...claims];
  return claims.map((c) => {
    const subject = LAYOUT_CLAIM_SUBJECTS[c.id];
    if (subject === undefined) throw new Error(`layout claim ${c.id} has no subject in LAYOUT_CLAIM_SUBJECTS`);
    const prefix = subject === 'target' ? `process ${targetPid}: `
      : subject === 'vmprobe' ? `vmprobe's own process (pid ${vmprobePid}) and its children, not process ${targetPid}: `
        : `process ${targetPid}'s map, with vmprobe's own probes and children (pid ${vmprobePid}): `;
    const measuredProcess: MeasuredProcess = { subject, targetPid, vmprobePid };
    return { ...c, summary: prefix + c.summary, evidence: { ...c.evidence, measuredProcess } };
  });
}
