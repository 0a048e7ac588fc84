// betamax JSON cassettes (PRAW, asyncpraw): `interactions[]` (asyncpraw, PRAW's own
// recorder) or `http_interactions[]` (betamax proper), each with `request {method, uri,
// body}` and `response {status {code}, headers, body {string | base64_string}}`. Header
// values are strings or lists of strings; request bodies are null, a form string, a list of
// [name, value] pairs, or betamax's `{string}`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flattenHeaders, type Recording } from './recording';

interface BetamaxBody {
  string?: string;
  base64_string?: string;
  encoding?: string;
}
interface BetamaxInteraction {
  request: { method: string; uri: string; body?: null | string | [string, string][] | BetamaxBody };
  response: { status: { code: number } | number; headers?: Record<string, unknown>; body?: BetamaxBody | string };
}

function requestForm(body: BetamaxInteraction['request']['body']): URLSearchParams | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return new URLSearchParams(body);
  if (Array.isArray(body)) return new URLSearchParams(body);
  return body.string ? new URLSearchParams(body.string) : undefined;
}

function responseText(body: BetamaxInteraction['response']['body']): string {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body.base64_string !== undefined) return Buffer.from(body.base64_string, 'base64').toString('utf8');
  return body.string ?? '';
}

export function loadBetamax(file: string): Recording[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { interactions?: BetamaxInteraction[]; http_interactions?: BetamaxInteraction[] };
  const list = doc.interactions ?? doc.http_interactions;
  if (!Array.isArray(list)) throw new Error(`${file}: not a betamax cassette (no interactions[] or http_interactions[])`);
  const name = path.basename(file);
  return list.map((i, n) => ({
    method: i.request.method.toUpperCase(),
    url: new URL(i.request.uri),
    form: requestForm(i.request.body),
    status: typeof i.response.status === 'number' ? i.response.status : i.response.status.code,
    headers: flattenHeaders(i.response.headers),
    body: responseText(i.response.body),
    source: `${name}#${n}`,
  }));
}
