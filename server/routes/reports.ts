// Report downloads (policy and admin): a ring report in HTML, PDF, JSON or GEXF, and
// the weekly executive report. HTML is served with a CSP that forbids scripts.
import { Type as T } from '@sinclair/typebox';
import { renderRingReport } from '../../queries/ring-report';
import { CONTENT_TYPES } from '../../reports/index';
import { REPORT_CSP } from '../../reports/layout';
import { htmlToPdf, PdfBusy } from '../../reports/pdf';
import { loadWeeklyReport } from '../../queries/weekly-report';
import { weeklyReportHtml } from '../../reports/weekly-html';
import { actorOf } from '../auth';
import { writeAudit } from '../../queries/audit';
import { query, RingId, type RoutePlugin, Week, postRefs, weekParam } from './common';

const Format = T.Union([T.Literal('html'), T.Literal('pdf'), T.Literal('json'), T.Literal('gexf')], { default: 'html' });

export const reportRoutes: RoutePlugin = async (app, { services }) => {
  const { store, config } = services;
  // The PDF renderer's queue is full: 503 with when to come back, not another browser.
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof PdfBusy) return reply.code(503).header('retry-after', err.retryAfterS).send({ error: 'Service Unavailable', message: err.message });
    throw err;
  });

  app.get('/rings/:id/report', {
    config: { role: 'policy' },
    schema: {
      tags: ['reports'],
      summary: 'export a ring report (policy): html, pdf, json or gexf',
      params: T.Object({ id: RingId }),
      querystring: query({ format: T.Optional(Format), download: T.Optional(T.Boolean()) }),
    },
  }, async (req, reply) => {
    const { id } = req.params;
    const q = req.query;
    const format = q.format ?? 'html';
    const bytes = await renderRingReport(store, id, format, { chromiumPath: config.web.chromiumPath, postRefs: postRefs(services), whenBusy: 'refuse' });
    await writeAudit(store, { actor: actorOf(req), action: 'ring.export', target: `ring:${id}`, after: { format } });
    reply.header('content-type', CONTENT_TYPES[format]).header('x-content-type-options', 'nosniff');
    if (format === 'html') reply.header('content-security-policy', REPORT_CSP);
    if (q.download || format === 'pdf' || format === 'gexf') reply.header('content-disposition', `attachment; filename="${id}.${format}"`);
    return reply.send(bytes);
  });

  app.get('/reports/weekly', {
    config: { role: 'policy' },
    schema: {
      tags: ['reports'],
      summary: 'the weekly executive report (policy): html, pdf or json',
      querystring: query({ week: T.Optional(Week), format: T.Optional(T.Union([T.Literal('html'), T.Literal('pdf'), T.Literal('json')], { default: 'html' })) }),
    },
  }, async (req, reply) => {
    const q = req.query;
    const data = await loadWeeklyReport(store, { week: weekParam(q.week) });
    if (q.format === 'json') return data;
    const html = weeklyReportHtml(data);
    reply.header('x-content-type-options', 'nosniff');
    if (q.format === 'pdf') {
      const pdf = await htmlToPdf(html, { chromiumPath: config.web.chromiumPath, whenBusy: 'refuse' });
      return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="weekly-${data.week}.pdf"`).send(pdf);
    }
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', REPORT_CSP).send(html);
  });
};
