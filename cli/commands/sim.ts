// `ringwatch sim serve`: the platform simulator alone (Reddit, X and review pages on 127.0.0.1).
import type { Command } from 'commander';
import { simServe } from '../../sim/cli';
import type { CliDeps } from '../context';
import { untilSignal } from '../signals';

export function register(program: Command, _deps: CliDeps) {
  const sim = program.command('sim').description('the platform simulator: a synthetic world served through imitations of the Reddit and X APIs and review web pages');
  sim
    .command('serve')
    .description('serve the simulator until Ctrl-C; prints its URLs and test credentials')
    .option('--port <port>', 'first port (Reddit; X on port+1, reviews on port+2); default free ports', (v) => Number.parseInt(v, 10))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <n>', 'world seed (same seed, same world)', '1')
    .option('--scale <scale>', 'small (~5k posts), medium (~100k) or large (~1M)', 'small')
    .option('--out <dir>', 'also write escalations.csv, orders.csv, reviews.csv and truth.json here')
    .action(async (opts: { port?: number; host: string; seed: string; scale: string; out?: string }) => {
      if (!['small', 'medium', 'large'].includes(opts.scale)) throw new Error(`--scale must be small, medium or large, not "${opts.scale}"`);
      const { stop } = await simServe({ port: opts.port, host: opts.host, seed: opts.seed, scale: opts.scale as 'small', dataDir: opts.out });
      await untilSignal();
      await stop();
    });
}
