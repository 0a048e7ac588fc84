// A real Redis (scripts/redis.sh) for one suite: started on a free loopback port with its
// own data dir, restartable (append-only file kept, so queues survive like in production),
// stopped and removed after.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../storage/embedded';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/redis.sh');

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SHUTDOWN, data kept). */
  stop(): void;
  /** Starts it again on the same port and data dir. */
  start(): void;
  /** Stops it, waits `downMs`, starts it again. */
  restart(downMs?: number): Promise<void>;
  /** Stops it and removes its data dir. */
  dispose(): void;
}


function script(cmd: string, port: number, dir: string): string {
  return execFileSync('bash', [SCRIPT, cmd, String(port), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-redis-'));
  const url = script('start', port, dir);
  return {
    url,
    port,
    stop: () => void script('stop', port, dir),
    start: () => void script('start', port, dir),
    async restart(downMs = 0) {
      script('stop', port, dir);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      script('start', port, dir);
    },
    dispose() {
      try {
        script('stop', port, dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
