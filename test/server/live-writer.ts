// Another process writing to the store, for test/server/live.test.ts:
//   tsx live-writer.ts <uri> <database> account <json> | revoke <key id>
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/index';
import { revokeApiKey } from '../../queries/keys';
import { openStore } from '../../storage/store';
import type { Account } from '../../storage/types';

const [uri, database, op, arg] = process.argv.slice(2);
const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-writer-'));
const store = await openStore(loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } }), { uri, database });
try {
  if (op === 'account') {
    const a = JSON.parse(arg) as Account;
    const now = new Date();
    await store.accounts.upsertMany([{ ...a, firstSeenAt: now, lastSeenAt: now, suspicion: a.suspicion && { ...a.suspicion, detectedAt: now } }]);
  } else if (op === 'revoke') {
    await revokeApiKey(store, arg, 'test:other-process');
  } else throw new Error(`unknown op ${op}`);
} finally {
  await store.close();
}
