// What the CLI prints and what the README promises about it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/main';
import { formatTable } from '../../cli/output';

describe('tables', () => {
  it('never cut the last column, and cut others at a word boundary', () => {
    const note = 'skipped: nothing to crawl on the web: set web.startUrls (and web.allowDomains) in the configuration';
    const out = formatTable([{ platform: 'web', detail: 'word '.repeat(20).trim(), note }]);
    expect(out).toContain(note);
    const detail = out.split('\n')[2].split(/\s{2,}/)[1];
    expect(detail).toMatch(/^(word )+word…$/);
  });
});

describe('README', () => {
  it('lists every command the CLI has', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('```text\nringwatch demo');
    const usage = readme.slice(start, readme.indexOf('```', start + 8));
    expect(usage.length).toBeGreaterThan(100);
    for (const c of COMMANDS.map((x) => x.name)) expect(usage, c).toMatch(new RegExp(`\\b${c}\\b`));
  });
});
