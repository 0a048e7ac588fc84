// `ringwatch store start|stop|status`: the embedded FerretDB as a background service.
import type { Command } from 'commander';
import { readStoreInfo, startEmbedded, stopByPid } from '../../storage/embedded';
import { openStore, redact } from '../../storage/store';
import type { CliDeps } from '../context';
import { output } from '../output';

export function register(program: Command, deps: CliDeps) {
  const store = program
    .command('store')
    .description('manage the embedded store (FerretDB on SQLite under the data dir); not used when MONGODB_URI is set');

  store
    .command('start')
    .description('start the embedded store in the background; other commands then use it instead of starting their own')
    .option('--port <port>', 'TCP port (default: a free one)', (v) => Number.parseInt(v, 10))
    .action(async (opts: { port?: number }) => {
      const config = deps.config();
      if (config.secrets.mongodbUri) throw new Error('MONGODB_URI is set: ringwatch uses that server and starts no embedded store');
      const running = readStoreInfo(config.dataDir);
      if (running) {
        output(program.opts().json, { status: 'running', ...running }, () => console.log(`already running: pid ${running.pid}, ${running.uri}`));
        return;
      }
      const s = await startEmbedded({ dataDir: config.dataDir, port: opts.port, detached: true });
      output(program.opts().json, { status: 'started', pid: s.pid, uri: s.uri, dataDir: config.dataDir }, () =>
        console.log(`embedded store started: pid ${s.pid}, ${s.uri} (data in ${config.dataDir}/store)`),
      );
    });

  store
    .command('stop')
    .description('stop the background embedded store (SIGTERM, then SIGKILL after 5 s)')
    .action(async () => {
      const stopped = await stopByPid(deps.config().dataDir);
      output(program.opts().json, { stopped }, () => console.log(stopped ? 'embedded store stopped' : 'no embedded store was running'));
    });

  store
    .command('status')
    .description('where the store is and whether it answers')
    .action(async () => {
      const config = deps.config();
      if (config.secrets.mongodbUri) {
        const s = await openStore(config);
        const ok = await s.ping();
        await s.close();
        const info = { mode: 'external', uri: redact(config.secrets.mongodbUri), ping: ok };
        output(program.opts().json, info, () => console.log(`external server ${info.uri}: ${ok ? 'answers ping' : 'NOT answering'}`));
        if (!ok) process.exitCode = 1;
        return;
      }
      const running = readStoreInfo(config.dataDir);
      const info = running ? { mode: 'embedded', status: 'running', ...running } : { mode: 'embedded', status: 'stopped', dataDir: config.dataDir };
      output(program.opts().json, info, () =>
        console.log(
          running
            ? `embedded store running: pid ${running.pid}, ${running.uri}`
            : `embedded store not running in the background (commands start it on demand; \`ringwatch store start\` keeps one up)`,
        ),
      );
    });
}
