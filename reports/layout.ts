// The HTML page around every report: inline CSS, print rules for PDF, and a
// Content-Security-Policy that forbids scripts, so even a missed escape cannot run.
import { esc, raw, type Raw } from './escape';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:2px solid #e3e7ee;padding-bottom:4px;break-after:avoid}
.meta{color:#5b6678;margin-bottom:12px}
.id{white-space:nowrap;word-break:keep-all}
.notice{border-left:4px solid #c58b00;background:#fff8e1;padding:6px 10px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e3e7ee;vertical-align:top}
th{background:#f4f6f9;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr{break-inside:avoid}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #dde2ea;border-radius:6px;padding:8px 12px;min-width:140px}
.card .v{font-size:20px;font-weight:600}.card .caution{color:#9a6700}.card .l{color:#5b6678;font-size:12px}.up{color:#b4432f}.down{color:#2f855a}
blockquote{margin:8px 0;padding:6px 12px;border-left:4px solid #b4432f;background:#faf7f5;white-space:pre-wrap;word-break:break-word}
.post-meta{color:#5b6678;font-size:12px}
.bar{display:inline-block;height:8px;background:#b4432f;border-radius:2px;vertical-align:middle}
.status{display:inline-block;padding:1px 8px;border-radius:10px;background:#e3e7ee;font-weight:600}
.status.confirmed{background:#f6d5cf}.status.dismissed{background:#d9eee0}.status.in_review{background:#fcefc7}
.chart svg{max-width:100%;height:auto}
code{font-size:12px;word-break:break-all}
@page{size:A4;margin:14mm}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}.chart{break-inside:avoid}}
`;

export function page(title: string, body: Raw): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>${body.html}</body></html>`;
}

export const chart = (svg: string) => raw(`<div class="chart">${svg}</div>`);
