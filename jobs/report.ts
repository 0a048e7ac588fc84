// The weekly report as a job (scheduler, API, CLI): writes HTML and PDF into
// config.reports.outDir (or `outDir`) and returns where.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isoWeekProblem } from '../analysis/time';
import { Type as T } from '@sinclair/typebox';
import { confinedPath, FilePath, JobParamsError, paramsSchema } from './params';
import type { Job } from './types';
import { htmlToPdf } from '../reports/pdf';
import { loadWeeklyReport } from '../queries/weekly-report';
import { weeklyReportHtml } from '../reports/weekly-html';

export interface WeeklyReportParams {
  week?: string;
  outDir?: string;
  /** html, pdf or both (default both). */
  formats?: ('html' | 'pdf')[];
  /** One exact output file; its extension (.html or .pdf) picks the format. */
  out?: string;
}

export interface WeeklyReportResult extends Record<string, unknown> {
  week: string;
  files: string[];
  bytes: number;
  renderMs: number;
  /** No cases in the week: the report says so (`emptyNote`). */
  empty: boolean;
  emptyNote?: string;
}

export const weeklyReportJob: Job<WeeklyReportParams, WeeklyReportResult> = {
  name: 'report:weekly',
  queue: 'reports',
  description: 'Weekly executive report (KPIs week over week, trends, top rings, abusive patterns) as HTML and PDF',
  params: paramsSchema({
    week: T.Optional(T.String({ pattern: '^\\d{4}-W\\d{2}$', description: 'an ISO week such as 2026-W47' })),
    outDir: T.Optional(FilePath),
    formats: T.Optional(T.Array(T.Union([T.Literal('html'), T.Literal('pdf')]), { minItems: 1, maxItems: 2, uniqueItems: true })),
    out: T.Optional(T.String({ minLength: 1, maxLength: 1024, pattern: '\\.(html|pdf|HTML|PDF)$', description: 'one file ending in .html or .pdf' })),
  }),
  // A week that does not exist is refused up front; outside the CLI, the report goes into reports.outDir and nowhere else.
  checkParams(params, { config, confine }) {
    const problem = params.week === undefined ? null : isoWeekProblem(params.week);
    if (problem) throw new JobParamsError(`report:weekly: params.week: ${problem}`);
    if (!confine) return params;
    const root = config.reports.outDir;
    return {
      ...params,
      ...(params.out !== undefined ? { out: confinedPath(params.out, root, 'out') } : {}),
      ...(params.outDir !== undefined ? { outDir: confinedPath(params.outDir, root, 'outDir') } : {}),
    };
  },
  async run(ctx, params = {}) {
    const started = Date.now();
    const problem = params.week === undefined ? null : isoWeekProblem(params.week);
    if (problem) throw new Error(`week: ${problem}`);
    ctx.progress(0, 3, 'computing KPIs');
    const data = await loadWeeklyReport(ctx.store, { week: params.week });
    const html = weeklyReportHtml(data);
    const dir = params.out ? path.dirname(path.resolve(params.out)) : (params.outDir ?? ctx.config.reports.outDir);
    await mkdir(dir, { recursive: true });
    let formats = params.formats ?? ['html', 'pdf'];
    if (params.out) {
      const ext = path.extname(params.out).toLowerCase();
      if (ext !== '.html' && ext !== '.pdf') throw new Error(`--out must end in .html or .pdf, got "${params.out}"`);
      formats = [ext === '.pdf' ? 'pdf' : 'html'];
    }
    const target = (ext: 'html' | 'pdf') => (params.out ? path.resolve(params.out) : path.join(dir, `weekly-${data.week}.${ext}`));
    const files: string[] = [];
    let bytes = 0;
    ctx.progress(1, 3, 'writing HTML');
    if (formats.includes('html')) {
      const f = target('html');
      await writeFile(f, html);
      files.push(f);
      bytes += Buffer.byteLength(html);
    }
    ctx.progress(2, 3, 'rendering PDF');
    if (formats.includes('pdf')) {
      const pdf = await htmlToPdf(html, { chromiumPath: ctx.config.web.chromiumPath });
      const f = target('pdf');
      await writeFile(f, pdf);
      files.push(f);
      bytes += pdf.length;
    }
    ctx.progress(3, 3, 'done');
    ctx.log.info({ week: data.week, files }, 'weekly report written');
    return { week: data.week, files, bytes, renderMs: Date.now() - started, empty: data.empty !== null, emptyNote: data.empty ?? undefined };
  },
};
