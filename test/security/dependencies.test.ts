// Why ws@3.3.3 (under snoowrap; CVE-2024-37890, CVE-2021-32640) is unreachable, kept
// true by test: snoowrap requires ws only for LiveThread's `stream`, and ringwatch never
// asks snoowrap for a live thread nor runs a WebSocket server.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string, ext: RegExp, skip: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (skip.test(p)) return [];
    return statSync(p).isDirectory() ? files(p, ext, skip) : ext.test(name) ? [p] : [];
  });
}

describe('ws@3.3.3 via snoowrap', () => {
  it('is required by snoowrap only for LiveThread streams', () => {
    const dist = path.resolve('node_modules/snoowrap/dist');
    const users = files(dist, /\.js$/, /$^/).filter((f) => /require\(['"]ws['"]\)/.test(readFileSync(f, 'utf8')));
    expect(users.map((f) => path.relative(dist, f))).toEqual([path.join('objects', 'LiveThread.js')]);
    expect(readFileSync(path.join(dist, 'objects', 'LiveThread.js'), 'utf8')).toMatch(/get: function \(\) \{\s*if \(!_this\._populatedStream && _this\.websocket_url\) \{\s*_this\._setupWebSocket\(\);/);
  });

  it('is never reached: no ringwatch code opens a live thread or imports ws', () => {
    const root = path.resolve('.');
    const sources = files(root, /\.(ts|mjs|js)$/, /node_modules|\/\.cache|\/test\/|\/data\//);
    expect(sources.length).toBeGreaterThan(50);
    const hits = sources.filter((f) => /getLivethread|createLivethread|LiveThread|from ['"]ws['"]|require\(['"]ws['"]\)/.test(readFileSync(f, 'utf8')));
    expect(hits.map((f) => path.relative(root, f))).toEqual([]);
  });
});
