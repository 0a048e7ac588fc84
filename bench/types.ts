// One measured number in a benchmark table.
export interface BenchRow {
  /** e.g. "nlp", "detect", "crawl" */
  suite: string;
  /** What was measured, e.g. "entities", "enrich pool×2". */
  case: string;
  /** Items processed. */
  n: number;
  value: number;
  /** e.g. "texts/s", "ms", "MB" */
  unit: string;
  note?: string;
}
