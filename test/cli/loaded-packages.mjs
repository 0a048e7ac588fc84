// Child process of test/cli/startup.test.ts: registers the commands `node loaded-packages.mjs
// <command>…` names, as a run of that command does, and prints (one JSON line) the packages
// from node_modules that were imported meanwhile. A resolve hook sees every import; the
// packages' own CommonJS requires do not pass it, so a package counts once it is imported.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const seen = new Set();
port1.on('message', (url) => {
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) seen.add(m[1]);
});
const hook = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage(r.url);
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { port: port2 }, transferList: [port2] });
const { register: tsx } = await import('tsx/esm/api');
tsx();
const { buildProgram } = await import('../../cli/main.ts');
await buildProgram(process.argv.slice(2));
// The hook thread's messages arrive asynchronously: a short wait lets the last of them in.
await new Promise((r) => setTimeout(r, 100));
process.stdout.write(`${JSON.stringify([...seen].sort())}\n`);
process.exit(0);
