// `npm run bench [-- suite ...]`: runs the named suites (default: all) and prints
// one table. Numbers go into docs/benchmarks.md by hand, with the machine.
import os from 'node:os';
import { formatTable } from '../cli/output';
import type { BenchRow } from './types';

type Suite = () => Promise<BenchRow[]>;

const SUITES: Record<string, Suite> = {
  store: async () => (await import('./store')).benchStore(),
  nlp: async () => (await import('./nlp')).benchNlp(),
  detect: async () => (await import('./detect')).benchDetect(),
  crawl: async () => (await import('./crawl')).benchCrawl(),
  escalations: async () => (await import('./import')).benchImport(),
  'yelpnyc-import': async () => (await import('./import-reviews')).benchYelpImport(),
  load: async () => (await import('./load')).benchLoad(),
  api: async () => (await import('./api')).benchApi(),
  coshare: async () => (await import('./coshare')).benchCoshare(),
  'coshare-windows': async () => (await import('./coshare-windows')).benchCoshareWindows(),
  quality: async () => (await import('./quality')).benchQuality(),
  scale: async () => (await import('./scale')).benchScale(),
  'scale-pipeline': async () => (await import('./scale-pipeline')).benchScalePipeline(),
};

async function main() {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = asked.length > 0 ? asked : Object.keys(SUITES);
  for (const n of names) {
    if (!SUITES[n]) {
      console.error(`unknown suite "${n}"; known: ${Object.keys(SUITES).join(', ')}`);
      process.exit(2);
    }
  }
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
  const rows: BenchRow[] = [];
  for (const n of names) {
    console.error(`bench: running ${n} …`);
    rows.push(...(await SUITES[n]()));
  }
  console.log(
    formatTable(
      // Three decimals below 10 (AUCs, APs and ratios are compared in the third), two above.
      rows.map((r) => ({ suite: r.suite, case: r.case, n: r.n, value: Math.abs(r.value) < 10 ? Math.round(r.value * 1000) / 1000 : Math.round(r.value * 100) / 100, unit: r.unit, note: r.note ?? '' })),
    ),
  );
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
}

await main();
