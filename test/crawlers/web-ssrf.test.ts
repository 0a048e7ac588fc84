// SSRF through the web crawler (issue 14.2), with real HTTP servers on 127.0.0.1 and real
// Chromium. The allowlist names the test site's host:port; a "trap" server on another port
// stands for an internal service. Every redirect hop (page navigations, scripts' requests,
// robots.txt) is checked; an allowlist entry without a port allows only 80/443; WebRTC and
// WebSockets cannot reach the trap either.
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedUrlError, WebSource } from '../../crawlers/platforms/web/source';
import { testConfig, testStore } from '../helpers/store';
import { crawl } from './helpers';

const PRODUCT = (id: string) => `<!doctype html><main data-product-id="${id}"><article class="review" data-review-id="${id}-1"><span class="reviewer">amy</span><span data-rating="5"></span><time datetime="2026-11-01T10:00:00Z"></time><p class="review-text">fine</p></article></main>`;

let trapHits: string[] = [];
let udpPackets = 0;
let trap: http.Server;
let site: http.Server;
let udp: dgram.Socket;
let trapPort = 0;
let sitePort = 0;
let udpPort = 0;
const siteHost = () => `127.0.0.1:${sitePort}`;
const trapUrl = (p: string) => `http://127.0.0.1:${trapPort}${p}`;

async function listen(server: http.Server, host: string): Promise<number> {
  await new Promise<void>((r) => server.listen(0, host, r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  // The trap listens on every address (IPv6 with IPv4-mapped too) and counts whatever reaches it.
  trap = http.createServer((req, res) => {
    trapHits.push(`${req.method} ${req.url}`);
    res.end('internal secret');
  });
  trap.on('upgrade', (req, socket) => {
    trapHits.push(`UPGRADE ${req.url}`);
    socket.destroy();
  });
  trapPort = await listen(trap, '::');
  udp = dgram.createSocket('udp4');
  udp.on('message', () => udpPackets++);
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  udpPort = udp.address().port;

  const redirects: Record<string, () => string> = {
    '/a1': () => '/a2',
    '/a2': () => trapUrl('/a'),
    '/d1': () => '/d2',
    '/d2': () => '/d3',
    '/d3': () => `http://[::ffff:127.0.0.1]:${trapPort}/d`,
    '/ok1': () => '/ok2',
    '/ok2': () => '/products/p-ok',
    '/s1': () => '/s2',
    '/s2': () => trapUrl('/s'),
    '/f1': () => '/f2',
    '/f2': () => trapUrl('/f'),
    '/robots-chain/robots.txt': () => '/robots-chain/r2',
  };
  site = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/robots.txt') return res.end('User-agent: *\nAllow: /\n');
    if (url === '/robots-chain/r2') return res.end('User-agent: *\nDisallow: /private\n');
    if (redirects[url]) return res.writeHead(302, { location: redirects[url]() }).end();
    if (url.startsWith('/products/')) return res.writeHead(200, { 'content-type': 'text/html' }).end(PRODUCT(url.split('/').pop() as string));
    if (url === '/hostile') {
      // A product page whose scripts try every way out: a redirected script, a redirected
      // fetch, a WebSocket and WebRTC (STUN over UDP) to internal addresses.
      return res.writeHead(200, { 'content-type': 'text/html' }).end(`${PRODUCT('p-hostile')}
<script src="/s1"></script>
<script>
  fetch('/f1').catch(() => {});
  try { new WebSocket('ws://127.0.0.1:${trapPort}/ws'); } catch (e) {}
  try {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${udpPort}' }] });
    pc.createDataChannel('x');
    pc.createOffer().then((o) => pc.setLocalDescription(o));
  } catch (e) {}
</script>`);
    }
    res.writeHead(404).end();
  });
  sitePort = await listen(site, '127.0.0.1');
});

afterAll(async () => {
  site?.close();
  trap?.close();
  udp?.close();
});

function source(startUrls: string[], allowDomains = [siteHost()]) {
  return new WebSource({ config: testConfig({ overrides: { web: { startUrls, allowDomains, perDomainDelayMs: 0, maxPages: 50 }, crawl: { maxRetries: 0 } } as never }) });
}

describe('web crawler SSRF', () => {
  it('refuses a redirect chain that ends on an internal address, at every hop (/a1 → /a2 → 127.0.0.1:<trap>)', async () => {
    trapHits = [];
    const store = await testStore();
    for (const start of ['/a1', '/d1']) {
      const src = source([`http://${siteHost()}${start}`]);
      try {
        const report = await crawl(src, store);
        expect(report.errorMessages.join('\n')).toMatch(/refused http:\/\/(127\.0\.0\.1|\[::ffff:7f00:1\]):\d+\/[ad] \(redirected from .*\): .* is not in web\.allowDomains/);
      } finally {
        await src.close();
      }
    }
    await store.close();
    expect(trapHits).toEqual([]);
  }, 60_000);

  it('follows a redirect chain that stays on the allowlist and stores the final page', async () => {
    const store = await testStore();
    const src = source([`http://${siteHost()}/ok1`]);
    try {
      const report = await crawl(src, store);
      expect(report.errorMessages).toEqual([]);
      expect((await store.posts.find({ platform: 'web' })).map((p) => [p.externalId, p.product])).toEqual([['p-ok-1', 'p-ok']]);
    } finally {
      await src.close();
      await store.close();
    }
  }, 60_000);

  it("checks the hops of a page's own requests, and blocks WebSockets and WebRTC to internal addresses", async () => {
    trapHits = [];
    udpPackets = 0;
    const store = await testStore();
    const src = source([`http://${siteHost()}/hostile`]);
    try {
      const report = await crawl(src, store);
      expect(report.errorMessages).toEqual([]);
      expect((await store.posts.find({ platform: 'web' })).map((p) => p.externalId)).toEqual(['p-hostile-1']);
      // The tab stays open: give its scripts time to try.
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      await src.close();
      await store.close();
    }
    expect(trapHits).toEqual([]);
    expect(udpPackets).toBe(0);
  }, 60_000);

  it('checks the hops of a robots.txt redirect', async () => {
    trapHits = [];
    const robo = http.createServer((req, res) => {
      if (req.url === '/robots.txt') return res.writeHead(301, { location: '/r1' }).end();
      if (req.url === '/r1') return res.writeHead(302, { location: `http://${siteHost()}/robots-chain/robots.txt` }).end();
      res.end('x');
    });
    const evil = http.createServer((req, res) => {
      if (req.url === '/robots.txt') return res.writeHead(302, { location: '/x1' }).end();
      return res.writeHead(302, { location: trapUrl('/robots.txt') }).end();
    });
    const roboPort = await listen(robo, '127.0.0.1');
    const evilPort = await listen(evil, '127.0.0.1');
    const src = source([], [siteHost(), `127.0.0.1:${roboPort}`, `127.0.0.1:${evilPort}`]);
    try {
      // Three hops on the allowlist: followed, and the final file's rules apply.
      await expect(src.check(`http://127.0.0.1:${roboPort}/private/x`)).rejects.toThrow(/robots\.txt disallows \/private\/x/);
      await expect(src.check(`http://127.0.0.1:${roboPort}/public`)).resolves.toBeInstanceOf(URL);
      // A hop off the allowlist: refused, and the site is not crawled without its rules.
      await expect(src.check(`http://127.0.0.1:${evilPort}/a`)).rejects.toThrow(RefusedUrlError);
      await expect(src.check(`http://127.0.0.1:${evilPort}/a`)).rejects.toThrow(/robots\.txt.*not in web\.allowDomains/);
    } finally {
      await src.close();
      robo.close();
      evil.close();
    }
    expect(trapHits).toEqual([]);
  }, 60_000);

  it('an allowDomains entry without a port allows only the default ports', async () => {
    const src = source([], ['127.0.0.1', `localhost:${sitePort}`]);
    try {
      await expect(src.check(`http://127.0.0.1:${trapPort}/`)).rejects.toThrow(/127\.0\.0\.1:\d+ is not in web\.allowDomains .*a port must be named/);
      await expect(src.check(`http://localhost:${trapPort}/`)).rejects.toThrow(/not in web\.allowDomains/);
      await expect(src.check(`http://localhost:${sitePort}/products/x`)).resolves.toBeInstanceOf(URL);
    } finally {
      await src.close();
    }
    expect(trapHits).toEqual([]);
  });
});
