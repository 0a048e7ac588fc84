// The `ringwatch` command. Each command lives in cli/commands/<name>.ts and
// registers itself; this file only wires them and turns errors into exit codes.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index';
import { createDeps } from './context';
import { Interrupted, UsageError } from './errors';
import * as analysisCmd from './commands/analysis';
import * as demoCmd from './commands/demo';
import * as importCmd from './commands/import';
import * as kpiCmd from './commands/kpi';
import * as modelCmd from './commands/model';
import * as crawlCmd from './commands/crawl';
import * as scheduleCmd from './commands/schedule';
import * as simCmd from './commands/sim';
import * as storeCmd from './commands/store';
import * as workerCmd from './commands/worker';
import * as serveCmd from './commands/serve';
import * as keysCmd from './commands/keys';
import * as ringsCmd from './commands/rings';
import * as accountsCmd from './commands/accounts';
import * as postsCmd from './commands/posts';
import * as reportCmd from './commands/report';

export function buildProgram(): Command {
  const program = new Command('ringwatch')
    .description('Find coordinated fake-review rings on Reddit and Twitter/X and link them to customer escalation cases.')
    .option('-c, --config <file>', 'configuration file (default ./ringwatch.config.json, or RINGWATCH_CONFIG)')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent (logs go to stderr)')
    .option('--log-format <format>', 'pretty (one readable line each; the default on a terminal) or json (the default otherwise)')
    .option('--json', 'print data as JSON on stdout (for scripts)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const deps = createDeps(program);
  for (const mod of [demoCmd, storeCmd, simCmd, crawlCmd, importCmd, analysisCmd, modelCmd, kpiCmd, scheduleCmd, workerCmd, serveCmd, keysCmd, ringsCmd, accountsCmd, postsCmd, reportCmd]) mod.register(program, deps);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof Interrupted || err instanceof UsageError) {
      process.stderr.write(`ringwatch: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`ringwatch: ${err.message}\nFix the configuration (see README "Configuration") and try again.\n`);
      return 2;
    }
    process.stderr.write(`ringwatch: ${(err as Error).message}\n`);
    // Errors about the input itself (e.g. an import's wrong header) carry exit code 2, like usage errors.
    if ((err as { exitCode?: unknown }).exitCode === 2) return 2;
    if (process.env.RINGWATCH_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
