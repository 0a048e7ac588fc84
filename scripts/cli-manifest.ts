// Writes cli/commands.json: every top-level command with its help term, description and
// module, from the real command modules. bin/ringwatch.mjs answers `--help` from it without
// loading TypeScript; test/cli/startup.test.ts fails when it is stale. Run after changing a
// command's name, arguments or description: `npx tsx scripts/cli-manifest.ts`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentManifest } from '../cli/manifest';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'commands.json');
writeFileSync(file, `${JSON.stringify(await currentManifest(), null, 2)}\n`);
console.log(`wrote ${file}`);
