// Starts and stops the embedded FerretDB (storage/ferretdb, SQLite backend).
// The Go launcher exits by itself when its parent dies, and we kill it on our
// own exit, so no store outlives the process that started it unless it was
// started detached (`ringwatch store start`).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const launcherSource = path.join(repoRoot, 'storage', 'ferretdb');
export const launcherBinary = path.join(repoRoot, '.cache', 'bin', 'ringwatch-ferretdb');

export interface EmbeddedStore {
  uri: string;
  pid: number;
  port: number;
  dataDir: string;
  /** SIGTERM, then SIGKILL after `timeoutMs`. Resolves once the process is gone. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StoreInfo {
  pid: number;
  port: number;
  uri: string;
  startedAt: string;
  detached: boolean;
}

/** Builds the launcher when missing (the bootstrap normally did it already). */
export function ensureLauncher(): string {
  if (existsSync(launcherBinary)) return launcherBinary;
  mkdirSync(path.dirname(launcherBinary), { recursive: true });
  try {
    execFileSync('go', ['build', '-o', launcherBinary, '.'], { cwd: launcherSource, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `could not build the embedded store (go build in ${launcherSource}): ${stderr.trim() || (err as Error).message}\n` +
        'Run `bash scripts/bootstrap.sh`, or set MONGODB_URI to use an existing MongoDB-compatible server.',
    );
  }
  return launcherBinary;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function storeDir(dataDir: string): string {
  return path.join(dataDir, 'store');
}

function infoFile(dataDir: string): string {
  return path.join(dataDir, 'store.json');
}

export function readStoreInfo(dataDir: string): StoreInfo | null {
  try {
    const info = JSON.parse(readFileSync(infoFile(dataDir), 'utf8')) as StoreInfo;
    return isAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const owned = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain kill is all we can do here, and
  // the launcher's parent watch covers SIGKILL of this process.
  process.on('exit', () => {
    for (const child of owned) child.kill('SIGKILL');
  });
}

export interface StartOptions {
  dataDir: string;
  port?: number;
  /** Keep running after this process exits (for `ringwatch store start`). */
  detached?: boolean;
  startTimeoutMs?: number;
}

export async function startEmbedded(opts: StartOptions): Promise<EmbeddedStore> {
  const binary = ensureLauncher();
  const dir = storeDir(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  const logFile = path.join(opts.dataDir, 'store.log');
  const out = openSync(logFile, 'a');
  const child = spawn(binary, ['-data', `${dir}/`, '-listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', out, out],
    // Always its own process group: Ctrl-C on a terminal signals the whole foreground
    // group, and the store must outlive the jobs that are still finishing on it (it
    // is stopped last, by stop() or the exit hook; the launcher also watches its parent).
    detached: true,
    env: { ...process.env, RINGWATCH_STORE_DETACHED: opts.detached ? '1' : '0' },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the embedded store (${binary})`);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      owned.delete(child);
      resolve();
    }),
  );
  if (opts.detached) child.unref();
  else {
    owned.add(child);
    installExitHook();
  }

  try {
    await waitForPing(uri, opts.startTimeoutMs ?? 20_000, () => exited);
  } catch (err) {
    child.kill('SIGKILL');
    const tail = safeTail(logFile);
    throw new Error(`${(err as Error).message}${tail ? `\nstore log (${logFile}):\n${tail}` : ''}`);
  }

  const info: StoreInfo = { pid, port, uri, startedAt: new Date().toISOString(), detached: opts.detached ?? false };
  writeFileSync(infoFile(opts.dataDir), `${JSON.stringify(info, null, 2)}\n`);

  return {
    uri,
    pid,
    port,
    dataDir: opts.dataDir,
    async stop(timeoutMs = 5_000) {
      if (exited === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exitPromise;
        clearTimeout(timer);
      }
      const current = readStoreInfoRaw(opts.dataDir);
      if (current?.pid === pid) rmSync(infoFile(opts.dataDir), { force: true });
    },
  };
}

/** Stops a store started detached by another process (`ringwatch store stop`). */
export async function stopByPid(dataDir: string, timeoutMs = 5_000): Promise<boolean> {
  const info = readStoreInfoRaw(dataDir);
  if (!info || !isAlive(info.pid)) {
    rmSync(infoFile(dataDir), { force: true });
    return false;
  }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(info.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  while (isAlive(info.pid)) await sleep(50);
  rmSync(infoFile(dataDir), { force: true });
  return true;
}

function readStoreInfoRaw(dataDir: string): StoreInfo | null {
  try {
    return JSON.parse(readFileSync(infoFile(dataDir), 'utf8')) as StoreInfo;
  } catch {
    return null;
  }
}

async function waitForPing(uri: string, timeoutMs: number, exited: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the embedded store exited during start-up: ${JSON.stringify(exited())}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await client.close().catch(() => {});
    }
    await sleep(100);
  }
  throw new Error(`the embedded store did not answer ping within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

function safeTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n').trim();
  } catch {
    return '';
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
