// HTML → PDF with Playwright on the Debian Chromium. JavaScript is off and every
// network request is refused: a report renders from its own bytes only.
//
// One browser per process, launched on first use and closed after IDLE_MS without work;
// at most PAGES renders at once (each in its own context); further requests wait in a
// queue. The API refuses a request when QUEUE are already waiting (PdfBusy → 503 with
// Retry-After) instead of queueing without bound; jobs and the CLI wait their turn.
// Without this, 8 concurrent ring PDFs launched 8 browsers (72 Chromium processes, ~7 GB).
// playwright-core is loaded at the first launch (≈ 0.7 s of every command's start when
// imported here: `rings list` and the API load this module for the other report formats).
import type { Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Renders at once: a render is CPU-bound in Chromium, and the machines we run on have few cores. */
const PAGES = 2;
/** Requests the API lets wait for a page before it answers 503. */
const QUEUE = 6;
const IDLE_MS = 10_000;

export class PdfBusy extends Error {
  readonly statusCode = 503;
  constructor(readonly retryAfterS: number) {
    super(`the PDF renderer is busy (${PAGES} rendering, ${QUEUE} waiting); retry in ${retryAfterS} s`);
  }
}

export interface PdfOptions {
  chromiumPath?: string;
  landscape?: boolean;
  /** 'refuse' (the API): throw PdfBusy when the queue is full; 'wait' (default): queue. */
  whenBusy?: 'wait' | 'refuse';
}

export class PdfRenderer {
  private browser?: Promise<Browser>;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private idle?: NodeJS.Timeout;
  private avgMs = 2000;
  /** Most renders seen at once (for tests and operators). */
  peak = 0;

  constructor(private readonly limits = { pages: PAGES, queue: QUEUE, idleMs: IDLE_MS }) {}

  async render(html: string, opts: PdfOptions = {}): Promise<Buffer> {
    await this.acquire(opts.whenBusy ?? 'wait');
    const t0 = Date.now();
    try {
      const browser = await this.launch(opts.chromiumPath);
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      try {
        const page = await context.newPage();
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({ format: 'A4', printBackground: true, landscape: opts.landscape ?? false, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
      } finally {
        await context.close().catch(() => {});
      }
    } finally {
      this.avgMs = 0.8 * this.avgMs + 0.2 * (Date.now() - t0);
      this.release();
    }
  }

  /** Closes the browser now if nothing is rendering (a server shutting down). */
  async closeIdle(): Promise<void> {
    if (this.active > 0 || !this.browser) return;
    const b = this.browser;
    this.browser = undefined;
    clearTimeout(this.idle);
    await (await b.catch(() => null))?.close().catch(() => {});
  }

  private async acquire(whenBusy: 'wait' | 'refuse'): Promise<void> {
    clearTimeout(this.idle);
    if (this.active < this.limits.pages) {
      this.active++;
      this.peak = Math.max(this.peak, this.active);
      return;
    }
    if (whenBusy === 'refuse' && this.waiting.length >= this.limits.queue) {
      throw new PdfBusy(Math.max(1, Math.ceil((this.avgMs * (this.waiting.length + 1)) / this.limits.pages / 1000)));
    }
    // The releasing render hands its slot over (active stays the same).
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    this.active--;
    if (this.active === 0) {
      this.idle = setTimeout(() => void this.closeIdle(), this.limits.idleMs);
      this.idle.unref();
    }
  }

  private launch(chromiumPath = '/usr/bin/chromium'): Promise<Browser> {
    if (!this.browser) {
      const launched = import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS }));
      this.browser = launched;
      // A crashed browser is replaced by the next render.
      const forget = () => {
        if (this.browser === launched) this.browser = undefined;
      };
      launched.then((b) => b.on('disconnected', forget)).catch(forget);
    }
    return this.browser;
  }
}

/** The process's renderer: every PDF (API, jobs, CLI) goes through it. */
export const pdfRenderer = new PdfRenderer();

export function htmlToPdf(html: string, opts: PdfOptions = {}): Promise<Buffer> {
  return pdfRenderer.render(html, opts);
}
