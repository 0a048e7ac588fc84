// A stream that keeps what a logger writes, one chunk (a pino line) per entry, for assertions on logs.
import { Writable } from 'node:stream';

export function logSink(lines: string[]): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
}
