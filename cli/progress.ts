// A progress bar on a TTY; nothing otherwise (scripts and CI read stdout/stderr).
import cliProgress from 'cli-progress';
import type { Progress } from '../jobs/types';
import { setLiveLine } from './terminal';

export interface ProgressBar {
  update: Progress;
  stop(): void;
}

export function progressBar(label: string, enabled = process.stderr.isTTY === true): ProgressBar {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      // The elapsed time ticks while a stage gives no progress (the detect pipeline runs in
      // its own thread, so this one redraws the bar meanwhile).
      format: `${label.padEnd(12)} {bar} {percentage}% | {value}/{total} {message} | {duration_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  // Log lines are written above the bar (cli/terminal.ts); then it is drawn again. The bar
  // restores its saved cursor position when it stops, so the position is saved anew here.
  const redraw = () => {
    process.stderr.write('\x1b7');
    const b = bar as unknown as { lastDrawnString: string; render(): void };
    b.lastDrawnString = '';
    b.render();
  };
  return {
    update(done, total, message) {
      const t = total ?? Math.max(done, 1);
      if (!started) {
        bar.start(t, done, { message: message ?? '' });
        started = true;
        setLiveLine({ redraw });
      } else {
        bar.setTotal(t);
        bar.update(done, { message: message ?? '' });
      }
    },
    stop() {
      if (!started) return;
      setLiveLine(null);
      bar.stop();
      started = false;
    },
  };
}
