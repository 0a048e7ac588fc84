// A fresh database on the shared test store (real FerretDB over the wire).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../config/index';
import { openStore, type Store } from '../../storage/store';

/** A config for tests: isolated data dir, no config file, quiet logs. */
export function testConfig(overrides: Parameters<typeof loadConfig>[0] = {}): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-test-'));
  return loadConfig({
    cwd: dataDir,
    env: { RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'silent', ...(overrides.env ?? {}) },
    overrides: overrides.overrides,
  });
}

export async function testStore(config: Config = testConfig()): Promise<Store & { config: Config }> {
  const database = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore(config, { uri: inject('storeUri'), database });
  const close = store.close;
  return Object.assign(store, {
    config,
    async close() {
      await store.dropAll({ recreate: false }).catch(() => {});
      await close();
    },
  });
}
