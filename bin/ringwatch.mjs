#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv);
// Let pending stderr/stdout flush, then exit with the command's code.
process.exitCode = code;
setImmediate(() => process.exit(code));
