/** One result row an experiment benchmark returns to bench/run.ts. */
export interface BenchRow {
  benchmark: string;
  vmprobe: string;
  reference: string;
  /** vmprobe / reference (or the inverse where higher is better), null when not a ratio. */
  ratio: number | null;
  target: string;
  /** Whether the target was met; null for information only. */
  pass: boolean | null;
}
