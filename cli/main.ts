// The `ringwatch` command. Each command lives in cli/commands/<name>.ts and
// registers itself; this file only wires them and turns errors into exit codes.
// Commands load lazily: a run registers only the module of the command it names
// (cli/commands.json maps command → module), so `ringwatch detect` never loads the
// browser or the API server; `--help` and `--version` are answered by bin/ringwatch.mjs
// from the same manifest without loading TypeScript at all.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index';
import pkg from '../package.json' with { type: 'json' };
import manifest from './commands.json' with { type: 'json' };
import { type CliDeps, createDeps } from './context';
import { Interrupted, UsageError } from './errors';

export interface ManifestOption {
  flags: string;
  description: string;
  /** Takes a value. */
  value: boolean;
}

export interface ManifestEntry {
  name: string;
  /** The command as top-level help shows it, e.g. "import [options] <kind> [file]". */
  term: string;
  description: string;
  /** Module under cli/commands/ that registers it. */
  module: string;
}

export const COMMANDS: readonly ManifestEntry[] = manifest.commands;

type CommandModule = { register(program: Command, deps: CliDeps): void };

/** In the order top-level help lists them. */
const MODULES: Record<string, () => Promise<CommandModule>> = {
  demo: () => import('./commands/demo'),
  store: () => import('./commands/store'),
  sim: () => import('./commands/sim'),
  crawl: () => import('./commands/crawl'),
  import: () => import('./commands/import'),
  analysis: () => import('./commands/analysis'),
  model: () => import('./commands/model'),
  kpi: () => import('./commands/kpi'),
  schedule: () => import('./commands/schedule'),
  worker: () => import('./commands/worker'),
  serve: () => import('./commands/serve'),
  keys: () => import('./commands/keys'),
  rings: () => import('./commands/rings'),
  accounts: () => import('./commands/accounts'),
  posts: () => import('./commands/posts'),
  report: () => import('./commands/report'),
};

export const PROGRAM_DESCRIPTION = 'Find coordinated fake-review rings on Reddit and Twitter/X and link them to customer escalation cases.';

/** Global options that take a value (so the command name is not mistaken for one). */
const VALUE_OPTIONS = new Set(manifest.options.filter((o) => o.value).flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('-'))));

/** The command an argv names (first argument that is neither an option nor an option's value), if any. */
export function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** Registers every command module in turn; `onModule` sees which commands each one added. */
export async function registerAll(program: Command, deps: CliDeps, onModule?: (module: string, added: Command[]) => void): Promise<void> {
  for (const [m, load] of Object.entries(MODULES)) {
    const before = program.commands.length;
    (await load()).register(program, deps);
    onModule?.(m, program.commands.slice(before));
  }
}

/** The program without commands: description, version and the global options. */
export function baseProgram(): Command {
  return new Command('ringwatch')
    .description(PROGRAM_DESCRIPTION)
    .version(pkg.version, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'configuration file (default ./ringwatch.config.json, or RINGWATCH_CONFIG)')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent (logs go to stderr)')
    .option('--log-format <format>', 'pretty (one readable line each; the default on a terminal) or json (the default otherwise)')
    .option('--json', 'print data as JSON on stdout (for scripts)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
}

/** The program with `only` the modules needed for these commands (all when undefined). */
export async function buildProgram(only?: readonly string[]): Promise<Command> {
  const program = baseProgram();
  const deps = createDeps(program);
  if (!only) {
    await registerAll(program, deps);
    return program;
  }
  for (const m of new Set(COMMANDS.filter((c) => only.includes(c.name)).map((c) => c.module))) (await MODULES[m]()).register(program, deps);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const name = commandName(argv.slice(2));
  // An unknown command loads everything, so commander can say so and suggest the nearest one.
  const known = name !== undefined && COMMANDS.some((c) => c.name === name);
  try {
    const program = await buildProgram(known ? [name] : undefined);
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
