// stderr on a terminal is shared by one live line (a progress bar) and log lines.
// A log line clears the live line, is written, and the live line is drawn again
// below it, so a log line never lands in the middle of a bar ("…errors 0et{"level"…").
export interface LiveLine {
  /** Draws the line again from column 0 (the cursor is on an empty line). */
  redraw(): void;
}

let live: LiveLine | null = null;

/** The bar now owning the bottom line of stderr (null when it is stopped). */
export function setLiveLine(line: LiveLine | null): void {
  live = line;
}

const CLEAR_LINE = '\r\x1b[2K';

/** Writes whole lines to stderr above the live line, if any. */
export function writeLines(text: string, stream: NodeJS.WritableStream = process.stderr): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (!live) {
    stream.write(body);
    return;
  }
  stream.write(CLEAR_LINE + body);
  live.redraw();
}
