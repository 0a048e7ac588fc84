import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../config/index';

function dirWith(config: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-config-'));
  writeFileSync(path.join(dir, 'ringwatch.config.json'), JSON.stringify(config));
  return dir;
}

describe('configuration', () => {
  it('layers defaults < file < environment', () => {
    const cwd = dirWith({ server: { port: 9000 }, reddit: { subreddits: ['gadgets'] } });
    const c = loadConfig({ cwd, env: { RINGWATCH_PORT: '9100' } });
    expect(c.server.port).toBe(9100);
    expect(c.server.host).toBe('127.0.0.1');
    expect(c.reddit.subreddits).toEqual(['gadgets']);
  });

  it('names the key and the file when the file has a wrong type', () => {
    const cwd = dirWith({ server: { port: 'eighty' } });
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/server\.port \(from ringwatch\.config\.json\)/);
  });

  it('names the key and the variable when the environment has a wrong type', () => {
    const cwd = dirWith({});
    expect(() => loadConfig({ cwd, env: { RINGWATCH_PORT: 'abc' } })).toThrow(/server\.port \(from environment variable RINGWATCH_PORT\)/);
  });

  it('rejects unknown keys and secrets in files', () => {
    expect(() => loadConfig({ cwd: dirWith({ sever: {} }), env: {} })).toThrow(/unknown key "sever"/);
    expect(() => loadConfig({ cwd: dirWith({ secrets: { twitterBearerToken: 'x' } }), env: {} })).toThrow(/environment variables/);
  });

  it('reads secrets from the environment only and never serialises them', () => {
    const c = loadConfig({ cwd: dirWith({}), env: { TWITTER_BEARER_TOKEN: 'tok-zq9w7-123', MONGODB_URI: 'mongodb://u:pw@h/' } });
    expect(c.secrets.twitterBearerToken).toBe('tok-zq9w7-123');
    expect(JSON.stringify(c)).not.toContain('zq9w7');
    expect(JSON.stringify(describeConfig(c))).not.toContain('zq9w7');
    expect(describeConfig(c).secrets).toMatchObject({ TWITTER_BEARER_TOKEN: '(set)', REDDIT_PASSWORD: '(unset)' });
  });
});

describe('paths', () => {
  it('puts reports under the data dir unless configured elsewhere', () => {
    const cwd = dirWith({});
    expect(loadConfig({ cwd, env: { RINGWATCH_DATA: '/tmp/rw-data-x' } }).reports.outDir).toBe('/tmp/rw-data-x/reports');
    expect(loadConfig({ cwd, env: { RINGWATCH_DATA: 'rel' } }).dataDir).toBe(path.join(cwd, 'rel'));
    expect(loadConfig({ cwd: dirWith({ reports: { outDir: '/srv/reports' } }), env: {} }).reports.outDir).toBe('/srv/reports');
  });
});
