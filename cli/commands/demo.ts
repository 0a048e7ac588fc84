// `ringwatch demo`: the main job. Embedded store + simulator → crawl, import,
// enrich, detect, model, KPIs, evaluation, reports; then the dashboard.
import type { Command } from 'commander';
import { kpiTable } from '../../analysis/escalations/kpi';
import { type DemoResult, runDemo, type StageResult } from '../../jobs/demo';
import { buildServer } from '../../server/app';
import { createApiKey } from '../../queries/keys';
import type { CliDeps } from '../context';
import { printJson, printTable } from '../output';
import { progressBar } from '../progress';
import { untilSignal } from '../signals';
import { writeLines } from '../terminal';

export function register(program: Command, deps: CliDeps) {
  program
    .command('demo')
    .description('run the whole pipeline against the platform simulator on the embedded store, write reports, then serve the dashboard')
    .option('--seed <n>', 'simulator world seed (same seed, same world)', '7')
    .option('--scale <scale>', 'small (~5k posts, ~3 min), medium (~100k posts) or large (~1M posts)', 'small')
    .option('--fresh', 'drop the ringwatch database first')
    .option('--no-serve', 'exit after the pipeline instead of serving the dashboard')
    .option('--port <port>', 'dashboard/API port (default: config server.port)', (v) => Number.parseInt(v, 10))
    .action(async (opts: { seed: string; scale: string; fresh?: boolean; serve: boolean; port?: number }) => {
      if (!['small', 'medium', 'large'].includes(opts.scale)) throw new Error(`--scale must be small, medium or large, not "${opts.scale}"`);
      const seed = Number.parseInt(opts.seed, 10);
      if (!Number.isFinite(seed)) throw new Error(`--seed must be an integer, not "${opts.seed}"`);
      const json = program.opts().json === true;
      const log = deps.log();
      await deps.withStore(async (store) => {
        let bar: ReturnType<typeof progressBar> | undefined;
        const controller = new AbortController();
        const onSigint = () => {
          if (controller.signal.aborted) process.exit(130);
          writeLines('demo: stopping after the current stage (Ctrl-C again to quit now)');
          controller.abort();
        };
        process.on('SIGINT', onSigint);
        let result: DemoResult;
        try {
          if (!json) console.log(`ringwatch demo: seed ${seed}, scale ${opts.scale}, store ${store.describe().uri}`);
          result = await runDemo(store, deps.config(), { seed, scale: opts.scale as 'small', fresh: opts.fresh }, {
            log,
            signal: controller.signal,
            onStage: (stage) => {
              bar = progressBar(stage);
              return bar.update;
            },
            onStageDone: (r: StageResult) => {
              bar?.stop();
              if (!json) console.log(`${r.status === 'done' ? '✔' : r.status === 'failed' ? '✘' : '–'} ${r.stage.padEnd(10)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.summary}`);
            },
          });
        } finally {
          process.off('SIGINT', onSigint);
        }
        const failed = result.stages.filter((s) => s.status === 'failed');
        if (json) printJson({ stages: result.stages, reports: result.reports, outDir: result.outDir });
        else {
          console.log('');
          printTable(result.stages.map((s) => ({ stage: s.stage, status: s.status, seconds: (s.ms / 1000).toFixed(1) })));
          const overall = result.kpis.filter((k) => k.region === 'ALL').slice(-4);
          if (overall.length > 0) console.log(`\nKPIs, all regions, last ${overall.length} weeks (\`ringwatch kpi\` for every region):\n${kpiTable(overall)}`);
          console.log(`\nReports:\n${result.reports.map((f) => `  ${f}`).join('\n') || '  (none)'}`);
          console.log(`Simulator files and ground truth: ${result.outDir}`);
        }
        if (failed.length > 0) process.exitCode = 1;

        if (!opts.serve) {
          await result.simulator.close();
          return;
        }
        const config = deps.config();
        const port = opts.port ?? config.server.port;
        const key = await createApiKey(store, { role: 'admin', name: 'demo', actor: 'cli:demo' });
        const app = await buildServer({ store, config: result.config, log });
        await app.listen({ host: config.server.host, port });
        const url = `http://${config.server.host}:${port}`;
        console.log(`\nDashboard: ${url}/   API docs: ${url}/docs`);
        console.log(`Admin API key for this demo (shown once): ${key.key}`);
        console.log('Simulator still serving; press Ctrl-C to stop.');
        await untilSignal();
        await app.close();
        await result.simulator.close();
      });
    });
}
