// A progress bar on a TTY; nothing otherwise (scripts and CI read stdout/stderr).
import cliProgress from 'cli-progress';
import type { Progress } from '../jobs/types';

export interface ProgressBar {
  update: Progress;
  stop(): void;
}

export function progressBar(label: string, enabled = process.stderr.isTTY === true): ProgressBar {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(12)} {bar} {percentage}% | {value}/{total} {message}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, message) {
      const t = total ?? Math.max(done, 1);
      if (!started) {
        bar.start(t, done, { message: message ?? '' });
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(done, { message: message ?? '' });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
