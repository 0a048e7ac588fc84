// One embedded FerretDB for the whole test run; each suite gets its own database
// on it (test/helpers/store.ts). Suites that test the store's lifecycle start
// their own.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type EmbeddedStore, startEmbedded } from '../../storage/embedded';

let store: EmbeddedStore | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  if (process.env.MONGODB_URI) {
    project.provide('storeUri', process.env.MONGODB_URI);
    return;
  }
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-test-store-'));
  store = await startEmbedded({ dataDir: dir });
  project.provide('storeUri', store.uri);
}

export async function teardown() {
  await store?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    storeUri: string;
  }
}
