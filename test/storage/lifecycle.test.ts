import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isAlive, startEmbedded } from '../../storage/embedded';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ringwatch-lifecycle-'));

async function withClient<T>(uri: string, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const c = new MongoClient(uri);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

describe('embedded store lifecycle', () => {
  it('starts, answers ping, keeps data across a restart on the same data dir, and stops', async () => {
    const dataDir = tmp();
    const first = await startEmbedded({ dataDir });
    await withClient(first.uri, async (c) => {
      expect((await c.db('admin').command({ ping: 1 })).ok).toBe(1);
      await c.db('life').collection('things').insertOne({ _id: 'a' as never, n: 1 });
    });
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);

    const second = await startEmbedded({ dataDir });
    expect(second.pid).not.toBe(first.pid);
    const doc = await withClient(second.uri, (c) => c.db('life').collection('things').findOne({ _id: 'a' as never }));
    expect(doc).toMatchObject({ _id: 'a', n: 1 });
    await second.stop();
    expect(isAlive(second.pid)).toBe(false);
  });

  it('runs two stores on different data dirs side by side without collision', async () => {
    const [a, b] = await Promise.all([startEmbedded({ dataDir: tmp() }), startEmbedded({ dataDir: tmp() })]);
    try {
      expect(a.port).not.toBe(b.port);
      await withClient(a.uri, (c) => c.db('x').collection('c').insertOne({ _id: 'only-in-a' as never }));
      const inB = await withClient(b.uri, (c) => c.db('x').collection('c').countDocuments({}));
      const inA = await withClient(a.uri, (c) => c.db('x').collection('c').countDocuments({}));
      expect(inA).toBe(1);
      expect(inB).toBe(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('leaves no store process behind when the process that started it is killed', async () => {
    const dataDir = tmp();
    // A separate Node process starts a store, prints its pid, and is then SIGKILLed.
    const script = `
      import { startEmbedded } from ${JSON.stringify(path.resolve('storage/embedded.ts'))};
      const s = await startEmbedded({ dataDir: ${JSON.stringify(dataDir)} });
      console.log('PID ' + s.pid);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const storePid = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /PID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`child exited early: ${code}`)));
    });
    expect(isAlive(storePid)).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (isAlive(storePid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(storePid)).toBe(false);
    expect(readFileSync(path.join(dataDir, 'store.log'), 'utf8')).toContain('serving');
  });
});
