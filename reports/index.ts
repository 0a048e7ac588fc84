// Public API of the reports module.
import path from 'node:path';
export { NotFound, type RingReportData, type MemberFacts } from './ring-data';
export { ringReportHtml, ringReportJson } from './ring-html';
export { indicatorLabel, indicatorValue, featureLabel, productLabel, labelTables } from './labels';
export { ringGexf, ringGraphology } from './gexf';
export { htmlToPdf, CHROMIUM_ARGS, PdfBusy, pdfRenderer } from './pdf';
export type { WeeklyReportData } from './weekly-data';
export { weeklyReportHtml } from './weekly-html';
export { esc, safeUrl } from './escape';
export { buildRingGraph, type RingGraph } from './ring-graph';

import { ringGexf } from './gexf';
import { htmlToPdf, type PdfOptions } from './pdf';
import type { RingReportData } from './ring-data';
import { ringReportHtml, ringReportJson } from './ring-html';

export type RingFormat = 'html' | 'pdf' | 'json' | 'gexf';
export const RING_FORMATS: readonly RingFormat[] = ['html', 'pdf', 'json', 'gexf'];
export const CONTENT_TYPES: Record<RingFormat, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  json: 'application/json; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
};

/** One ring report (queries/ring-report.ts loads it) in one format, as bytes. */
export async function ringReportBytes(data: RingReportData, format: RingFormat, opts: { chromiumPath?: string; whenBusy?: PdfOptions['whenBusy'] } = {}): Promise<Buffer> {
  if (format === 'json') return Buffer.from(ringReportJson(data));
  if (format === 'gexf') return Buffer.from(ringGexf(data));
  const html = ringReportHtml(data);
  if (format === 'html') return Buffer.from(html);
  return htmlToPdf(html, { chromiumPath: opts.chromiumPath, whenBusy: opts.whenBusy });
}

/** Where a ring report is written by default: `<dir>/<ring id>.<format>` (the demo, the CLI and the API's download name agree). */
export function ringReportFile(dir: string, ringId: string, format: string): string {
  return path.join(dir, `${ringId.replace(/[^A-Za-z0-9_-]/g, '_')}.${format}`);
}
