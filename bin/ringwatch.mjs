#!/usr/bin/env -S node --max-semi-space-size=64
// Runs the TypeScript CLI through tsx (no build step). `--version` and top-level `--help`
// are answered here, in plain JavaScript, from package.json and the command manifest
// (cli/commands.json, written by scripts/cli-manifest.ts): loading tsx and the command
// modules takes seconds on a busy machine, and neither question needs them.
//
// The shebang (and the npm scripts, which start this with `node --max-semi-space-size=64`)
// gives V8 64 MB semi-spaces instead of 16 MB: detection keeps most of what it allocates, so
// every young-generation collection copies much of it. At ≈1M posts, 7 alternated runs each
// (docs/benchmarks.md): 1,250 young collections pausing the main thread 14 s → 330 pausing
// 8–9 s, the pipeline 68.2 → 59.6 s on average. A heap flag works only at process start
// (v8.setFlagsFromString later leaves the heap as configured), hence here and not in code.
import { readFileSync } from 'node:fs';

const read = (rel) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const args = process.argv.slice(2);
const manifest = read('../cli/commands.json');
const flagsOf = (o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('-'));
const GLOBAL_FLAGS = new Set(manifest.options.filter((o) => !o.value).flatMap(flagsOf));
const GLOBAL_VALUES = new Set(manifest.options.filter((o) => o.value).flatMap(flagsOf));

/** 'version' | 'help' when the arguments only ask that (global options aside), else null. */
function quickAnswer() {
  let ask = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (GLOBAL_VALUES.has(a)) i++;
    else if (a === '-V' || a === '--version') ask ??= 'version';
    else if (a === '-h' || a === '--help' || (a === 'help' && i === args.length - 1)) ask ??= 'help';
    else if (!GLOBAL_FLAGS.has(a) && ![...GLOBAL_VALUES].some((o) => a.startsWith(`${o}=`))) return null;
  }
  return ask ?? (args.length === 0 ? 'help' : null);
}

const quick = quickAnswer();
if (quick === 'version') {
  process.stdout.write(`${read('../package.json').version}\n`);
} else if (quick === 'help') {
  const { Command, Help } = await import('commander');
  const standard = new Help();
  const terms = new Map(manifest.commands.map((c) => [c.name, c.term]));
  const program = new Command('ringwatch')
    .description(manifest.description)
    .version(read('../package.json').version, '-V, --version', 'print the version')
    .configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? standard.subcommandTerm(cmd) });
  for (const o of manifest.options) program.option(o.flags, o.description);
  for (const c of manifest.commands) program.command(c.name).description(c.description);
  // No command given prints help to stderr and exits 1, as commander does; asked for, stdout and 0.
  if (args.length === 0) {
    process.stderr.write(program.helpInformation());
    process.exitCode = 1;
  } else process.stdout.write(program.helpInformation());
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  const code = await main(process.argv);
  // Let pending stderr/stdout flush, then exit with the command's code.
  process.exitCode = code;
  setImmediate(() => process.exit(code));
}
