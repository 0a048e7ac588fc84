// Plain-JS entry for job threads (jobs/thread.ts): registers tsx in this thread (loader
// hooks are per thread, and `--import tsx` in a Worker's execArgv is not honoured on Node
// 20), then loads the TypeScript side. Works the same under `tsx`, vitest and plain node.
import { register } from 'tsx/esm/api';

register();
await import('./thread-worker.ts');
