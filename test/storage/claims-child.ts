// Child process for the concurrent-update test: opens its own store connection and
// makes EDITS edits of one document, IN_FLIGHT at a time, then prints what it did.
//   append: every edit appends TAG:i to `entries` (must never be lost)
//   cas:    every edit reads `version` outside the update and moves it to version+1
//           only if it is still the one read (like a ring review); prints the versions won
import { loadConfig } from '../../config/index';
import type { Repository } from '../../storage/repository';
import { openStore } from '../../storage/store';

const env = process.env;
const dir = env.CHILD_DIR as string;
const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
const store = await openStore(config, { uri: env.STORE_URI, database: env.STORE_DB });
type Doc = { _id: string; entries: string[]; version: number; winners: Record<string, string> };
const repo = store.crawlState as unknown as Repository<Doc>;
const id = env.DOC as string;
const tag = env.TAG as string;
const edits = Number(env.EDITS);
const inFlight = Number(env.IN_FLIGHT ?? 4);

const won: number[] = [];
let next = 0;
async function worker() {
  while (next < edits) {
    const i = next++;
    if (env.MODE === 'append') {
      await repo.update(id, (d) => ({ set: { entries: [...d.entries, `${tag}:${i}`] } }));
      won.push(i);
    } else {
      const seen = (await repo.get(id))?.version ?? 0;
      const r = await repo.update(id, (d) => (d.version === seen ? { set: { version: seen + 1, winners: { ...d.winners, [`v${seen + 1}`]: tag } } } : null));
      if (r?.changed) won.push(seen + 1);
    }
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
process.stdout.write(`${JSON.stringify({ tag, won })}\n`);
await store.close();
