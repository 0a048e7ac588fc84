// Startup (issue 13.6 / 15.4): `--help` and `--version` are answered without loading the
// application, from a manifest that must match the command modules; a command loads only
// its own module.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandName } from '../../cli/main';
import { currentManifest } from '../../cli/manifest';

const bin = path.resolve('bin/ringwatch.mjs');

function timed(args: string[]) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, RINGWATCH_LOG_LEVEL: 'silent' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t };
}

describe('CLI startup', () => {
  it('has a command manifest that matches the command modules (else run scripts/cli-manifest.ts)', async () => {
    expect(JSON.parse(readFileSync('cli/commands.json', 'utf8'))).toEqual(await currentManifest());
  });

  it('answers --help with the full program help and --version with the package version, without loading the application', async () => {
    // The quickest of three starts: one start that a busy machine delays (a CI run saw 250 ms
    // against 100–150 ms) says nothing about what the launcher loads.
    const quickest = (args: string[]) => [timed(args), timed(args), timed(args)].reduce((a, b) => (b.ms < a.ms ? b : a));
    const help = quickest(['--help']);
    const version = quickest(['--version']);
    const full = timed(['detect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await buildProgram()).helpInformation());
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
    expect(timed(['--json', '-V']).stdout).toBe(version.stdout);
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('Usage: ringwatch detect [options]');
    // Relative to loading the app (the machine's load varies); on an idle machine both are < 0.5 s.
    expect(help.ms).toBeLessThan(full.ms / 4);
    expect(version.ms).toBeLessThan(full.ms / 4);
  });

  it('starts node with 64 MB semi-spaces through its own shebang (npx ringwatch) and the npm script', () => {
    // What node was started with, seen from inside the launched process (a preload prints execArgv).
    const env = { ...process.env, RINGWATCH_LOG_LEVEL: 'silent', NODE_OPTIONS: `--require "${path.resolve('test/cli/exec-argv.cjs')}"` };
    // Every node process's flags (npm itself is one, started without them), one list.
    const flags = (r: ReturnType<typeof spawnSync>) => {
      expect(r.status, String(r.stderr)).toBe(0);
      const lines = String(r.stderr).split('\n').filter((l) => l.startsWith('execArgv='));
      expect(lines.length).toBeGreaterThan(0);
      return lines.flatMap((l) => JSON.parse(l.slice('execArgv='.length)) as string[]);
    };
    const direct = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 120_000, env });
    expect(direct.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
    expect(flags(direct)).toContain('--max-semi-space-size=64');
    const script = spawnSync('npm', ['run', '--silent', 'ringwatch', '--', '--version'], { encoding: 'utf8', timeout: 120_000, env });
    expect(flags(script)).toContain('--max-semi-space-size=64');
  });

  it('finds the command in the arguments, past global options and their values', () => {
    expect(commandName(['--config', 'x.json', '--json', 'detect', '--all'])).toBe('detect');
    expect(commandName(['--log-level', 'warn', 'accounts', 'list'])).toBe('accounts');
    expect(commandName(['--json'])).toBeUndefined();
  });

  it('starts detect, rings and accounts without the browser, the chart library or the NLP models', () => {
    // Each of them cost every start of those commands ≈ 0.7–1 s when a module imported it at the
    // top (playwright-core for PDFs, echarts for report charts, compromise / wink for enrich).
    const heavy = ['playwright-core', 'echarts', 'compromise', 'wink-nlp'];
    const loaded = (command: string) => {
      const r = spawnSync(process.execPath, [path.resolve('test/cli/loaded-packages.mjs'), command], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim()) as string[];
    };
    const detect = loaded('detect');
    expect(detect).toContain('graphology'); // the probe sees what a command imports
    for (const command of ['detect', 'rings', 'accounts']) {
      const packages = command === 'detect' ? detect : loaded(command);
      expect(packages.filter((p) => heavy.includes(p)), command).toEqual([]);
    }
    // enrich and kpi need the NLP models; their modules still import them.
    expect(loaded('kpi')).toContain('compromise');
  }, 240_000);

  it('loads only the module of the command run', async () => {
    const program = await buildProgram(['detect']);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(['detect', 'enrich', 'evaluate']);
  });
});
