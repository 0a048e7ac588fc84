// twarc2 JSONL (twarc-csv's test data): one real X API v2 response body a line, the request
// it answered in `__twarc.url`, no status or headers. Headers are borrowed from a recording
// of the same endpoint that has them (the tweepy cassettes), as SOURCES.md says, so that
// the gate sees X's real rate-limit headers; `__twarc` itself is not part of the answer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalisePath, type Recording } from './recording';

export function loadTwarc(file: string, headerDonors: readonly Recording[]): Recording[] {
  const name = path.basename(file);
  const out: Recording[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, n) => {
      if (line.trim() === '') return;
      let page: Record<string, unknown> & { __twarc?: { url?: string } };
      try {
        page = JSON.parse(line);
      } catch (err) {
        throw new Error(`${name}:${n + 1}: not JSON (${(err as Error).message})`);
      }
      const uri = page.__twarc?.url;
      if (!uri) throw new Error(`${name}:${n + 1}: no __twarc.url (the request this page answered)`);
      const url = new URL(uri);
      const donor = headerDonors.find(
        (d) => normalisePath(d.url.pathname) === normalisePath(url.pathname) && d.headers['x-rate-limit-remaining'] !== undefined,
      );
      if (!donor) throw new Error(`${name}:${n + 1}: no recording of ${url.pathname} with headers to borrow`);
      const { __twarc: _t, ...body } = page;
      out.push({ method: 'GET', url, status: 200, headers: { ...donor.headers }, body: JSON.stringify(body), source: `${name}#${n}` });
    });
  return out;
}
