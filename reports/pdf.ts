// HTML → PDF with Playwright on the Debian Chromium. JavaScript is off and every
// network request is refused: a report renders from its own bytes only.
import { chromium } from 'playwright-core';

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

export async function htmlToPdf(html: string, opts: { chromiumPath?: string; landscape?: boolean } = {}): Promise<Buffer> {
  const browser = await chromium.launch({ executablePath: opts.chromiumPath ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const pageObj = await context.newPage();
    await pageObj.route('**/*', (route) => route.abort());
    await pageObj.setContent(html, { waitUntil: 'load' });
    return await pageObj.pdf({ format: 'A4', printBackground: true, landscape: opts.landscape ?? false, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}
