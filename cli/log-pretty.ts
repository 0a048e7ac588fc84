// pino lines for people: "17:03:12 INFO  crawled platform=reddit new=120", in local
// time, one line each (newlines in values escaped), written above any progress bar.
// Used on a terminal; pipes and files get pino's JSON (`--log-format json`).
import type { DestinationStream } from 'pino';
import { writeLines } from './terminal';

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '\x1b[90m' },
  20: { name: 'DEBUG', color: '\x1b[36m' },
  30: { name: 'INFO', color: '\x1b[32m' },
  40: { name: 'WARN', color: '\x1b[33m' },
  50: { name: 'ERROR', color: '\x1b[31m' },
  60: { name: 'FATAL', color: '\x1b[35m' },
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** Fields every line has or nobody reads on a terminal. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app', 'v']);

/** Longest shown value; a log line stays one line. */
const MAX_VALUE = 300;

function clock(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function value(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  else if (v && typeof v === 'object' && 'message' in v && typeof (v as { message: unknown }).message === 'string') s = JSON.stringify((v as { message: string }).message);
  else s = JSON.stringify(v) ?? String(v);
  s = s.replace(/[\r\n]+/g, '\\n');
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** One pino record as one readable line (no trailing newline). */
export function prettyLine(record: Record<string, unknown>, color = false): string {
  const level = LEVELS[record.level as number] ?? { name: String(record.level), color: '' };
  const time = typeof record.time === 'number' ? clock(record.time) : '';
  const msg = typeof record.msg === 'string' ? record.msg.replace(/[\r\n]+/g, ' ') : '';
  const fields = Object.entries(record)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const name = level.name.padEnd(5);
  if (!color) return [time, name, msg, fields].filter(Boolean).join(' ');
  return [`${DIM}${time}${RESET}`, `${level.color}${name}${RESET}`, msg, fields && `${DIM}${fields}${RESET}`].filter(Boolean).join(' ');
}

/** A pino destination writing pretty lines to stderr. */
export function prettyDestination(opts: { color?: boolean } = {}): DestinationStream {
  const color = opts.color ?? (process.stderr.isTTY === true && !process.env.NO_COLOR);
  return {
    write(chunk: string) {
      const lines: string[] = [];
      for (const raw of chunk.split('\n')) {
        if (!raw) continue;
        try {
          lines.push(prettyLine(JSON.parse(raw) as Record<string, unknown>, color));
        } catch {
          lines.push(raw);
        }
      }
      if (lines.length > 0) writeLines(lines.join('\n'));
    },
  };
}
