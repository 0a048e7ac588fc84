// Product review pages through playwright-core and the system Chromium. Only hosts on
// web.allowDomains are visited (anything else is refused before any request: this also
// keeps the crawler from being pointed at internal addresses). Every redirect hop is
// checked the same way: page loads, the pages' own requests and robots.txt. robots.txt is
// honoured (our user agent's group, else "*"; Crawl-delay raises the per-domain delay), and
// review pages are followed through rel="next" pagination, newest first.
import { createHash } from 'node:crypto';
import { type Browser, type BrowserContext, chromium, type Frame, type Page } from 'playwright-core';
import { isoWeek } from '../../../analysis/time';
import type { Account, Post } from '../../../storage/types';
import { passStep } from '../../cursor';
import { httpGetChecked } from '../../http';
import { type GateAnswer, type GateFactory, GateSet, localGates, type RequestGate, RETRY_AFTER, TransientError } from '../../rate-gate';
import type { WebSettings } from './config';
import { parseRobots, type RobotsRules, robotsAllows } from './robots';
import { type CrawlUnit, PageCapReached, type Source, type SourcePage, type UnitContext } from '../../source';

export const WEB_USER_AGENT = 'ringwatch/0.1 (+review-ring research crawler)';
/**
 * WebRTC is off: a page's RTCPeerConnection would send STUN/TURN packets (UDP, not seen by
 * request routing) to any address it names. With no proxy, "disable_non_proxied_udp" leaves
 * WebRTC no UDP at all; the init script NO_WEBRTC also removes its constructors. Each alone
 * stops the STUN packets of test/crawlers/web-ssrf.test.ts (measured).
 */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

/** Redirect hops followed per page load or request (RFC 9309 asks at least five for robots.txt). */
export const MAX_REDIRECTS = 5;

const NO_WEBRTC = `(() => {
  for (const k of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel', 'RTCRtpSender', 'RTCRtpReceiver', 'RTCIceCandidate', 'RTCSessionDescription']) {
    try { Object.defineProperty(window, k, { value: undefined, configurable: false, writable: false }); } catch {}
  }
})()`;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class RefusedUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedUrlError';
  }
}

interface ScrapedReview {
  id: string;
  reviewer: string;
  rating: number | null;
  time: string | null;
  title: string;
  text: string;
}
interface Scraped {
  productId: string | null;
  reviews: ScrapedReview[];
  next: string | null;
  links: string[];
}

// A string, not a function: tsx/esbuild would inject helpers a page cannot see.
const SCRAPE = `(() => {
  const txt = (el, sel) => (el.querySelector(sel)?.textContent ?? '').trim();
  const product = document.querySelector('[data-product-id]:not(a)');
  const reviews = [...document.querySelectorAll('article.review')].map((a) => ({
    id: a.getAttribute('data-review-id') ?? a.id,
    reviewer: txt(a, '.reviewer'),
    rating: a.querySelector('[data-rating]') ? Number(a.querySelector('[data-rating]').getAttribute('data-rating')) : null,
    time: a.querySelector('time')?.getAttribute('datetime') ?? null,
    title: txt(a, '.review-title'),
    text: txt(a, '.review-text'),
  }));
  const next = document.querySelector('a[rel~="next"]')?.href ?? document.querySelector('link[rel~="next"]')?.href ?? null;
  const links = [...document.querySelectorAll('main a[href]')].map((a) => a.href);
  const asin = (document.querySelector('.asin')?.textContent ?? '').trim();
  return { productId: product?.getAttribute('data-product-id') ?? (asin || null), reviews, next, links };
})()`;

export interface WebSourceOptions {
  config: WebSettings;
  /** Override start URLs (tests, demo). */
  startUrls?: string[];
  now?: () => Date;  /** Makes the rate gates (default in-process; BullMQ workers share them through Redis). */
  gates?: GateFactory;
}

/** Not needed to read reviews from the DOM; never fetched. */
const SKIPPED_RESOURCES = new Set(['image', 'media', 'font', 'stylesheet']);

export class WebSource implements Source {
  readonly platform = 'web' as const;
  private browser?: Promise<Browser>;
  private context?: BrowserContext;
  private readonly robots = new Map<string, Promise<RobotsRules>>();
  private readonly gateSet: GateSet;
  private readonly cfg: WebSettings['web'];
  private pagesVisited = 0;

  constructor(private readonly opts: WebSourceOptions) {
    this.cfg = opts.config.web;
    this.gateSet = new GateSet(
      (host) => (opts.gates ?? localGates)({ name: `web ${host}`, style: RETRY_AFTER, windowMs: this.cfg.perDomainDelayMs, limit: 1, safety: 0, maxRetries: opts.config.crawl.maxRetries }),
    );
  }

  gates(): RequestGate[] {
    return this.gateSet.all();
  }

  /**
   * Why the browser may not fetch this URL at all, or null (scheme and allowlist only;
   * robots.txt is checked per page). An entry "host" allows the scheme's default port only
   * (80, 443); "host:port" allows that port.
   */
  private offAllowlist(url: URL): string | null {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https are crawled';
    const entries = this.cfg.allowDomains.map(allowEntry);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (entries.some((e) => e.hostname === url.hostname && (e.port ? e.port === port : url.port === ''))) return null;
    const portless = entries.some((e) => e.hostname === url.hostname && !e.port);
    return `${url.host} is not in web.allowDomains (${this.cfg.allowDomains.join(', ') || 'empty'})${portless ? `; an entry without a port allows only ports 80 and 443, a port must be named to allow it (${url.hostname}:${port})` : ''}`;
  }

  /** Refuses URLs outside the allowlist or disallowed by robots.txt, with the reason; `from` names the page that redirected here. */
  async check(raw: string, from?: URL): Promise<URL> {
    const what = from ? `${raw} (redirected from ${from.href})` : raw;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new RefusedUrlError(`refused ${what}: not a URL`);
    }
    const why = this.offAllowlist(url);
    if (why) throw new RefusedUrlError(`refused ${from ? `${url.href} (redirected from ${from.href})` : raw}: ${why}`);
    const rules = await this.robotsFor(url);
    if (!robotsAllows(rules, url.pathname + url.search)) throw new RefusedUrlError(`refused ${what}: ${url.origin}/robots.txt disallows ${url.pathname}`);
    return url;
  }

  private robotsFor(url: URL): Promise<RobotsRules> {
    let p = this.robots.get(url.origin);
    if (!p) {
      p = this.gateSet
        .get(url.host)
        .run('GET /robots.txt', async (): Promise<GateAnswer<string>> => {
          const res = await httpGetChecked(
            { url: `${url.origin}/robots.txt`, headers: { 'user-agent': WEB_USER_AGENT }, timeoutMs: this.opts.config.crawl.requestTimeoutMs },
            (next, from) => {
              const why = this.offAllowlist(next);
              if (why) throw new RefusedUrlError(`refused ${next.href} (robots.txt redirected from ${from.href}): ${why}; the site is not crawled without its robots.txt`);
            },
            MAX_REDIRECTS,
          );
          // No robots.txt (4xx), or more redirects than followed (RFC 9309 §2.3.1.2), means
          // everything is allowed; 5xx is retried, then the site is skipped.
          if ((res.status >= 400 && res.status < 500 && res.status !== 429) || REDIRECT_STATUSES.has(res.status)) return { status: 200, headers: res.headers, value: '' };
          return { status: res.status, headers: res.headers, value: res.text };
        })
        .then((text) => parseRobots(text, WEB_USER_AGENT));
      this.robots.set(url.origin, p);
    }
    return p;
  }

  private readonly tabs = new Map<string, Promise<Page>>();
  /** A page load's redirect target, set by the request route for visit() to follow. */
  private readonly redirects = new WeakMap<Frame, URL>();

  /** One tab per domain, reused: the domain's gate lets one page load at a time anyway. */
  private tab(host: string): Promise<Page> {
    let t = this.tabs.get(host);
    if (!t) {
      t = this.newPage();
      this.tabs.set(host, t);
    }
    return t;
  }

  private async newPage(): Promise<Page> {
    if (!this.browser) {
      this.browser = chromium.launch({ executablePath: this.cfg.chromiumPath, args: CHROMIUM_ARGS, headless: true });
    }
    const browser = await this.browser;
    if (!this.context) {
      // Service workers would fetch outside request routing; WebSockets are not routed
      // either and a review page needs none.
      this.context = await browser.newContext({ userAgent: WEB_USER_AGENT, javaScriptEnabled: true, serviceWorkers: 'block' });
      await this.context.addInitScript(NO_WEBRTC);
      await this.context.routeWebSocket(/.*/, (ws) => ws.close({ code: 1008, reason: 'WebSockets are not crawled' }));
      // Every request the browser makes (redirect hops, subresources, scripts' fetches)
      // must stay on the allowlist. Playwright routes only the first request of a redirect
      // chain: a redirect the browser follows by itself is never seen here. So requests are
      // fetched here without following redirects. A page load's redirect is handed to
      // visit(), which checks the target like any URL (allowlist and robots.txt) and loads
      // it; any other request's hops are checked and followed here.
      await this.context.route('**/*', async (route) => {
        const req = route.request();
        let at = new URL(req.url());
        if (SKIPPED_RESOURCES.has(req.resourceType()) || this.offAllowlist(at)) return route.abort('blockedbyclient');
        const frame = req.frame();
        const pageLoad = req.isNavigationRequest() && frame.parentFrame() === null;
        try {
          let res = await route.fetch({ maxRedirects: 0 });
          for (let hop = 0; REDIRECT_STATUSES.has(res.status()) && res.headers().location; hop++) {
            const next = new URL(res.headers().location, at);
            if (pageLoad) {
              this.redirects.set(frame, next);
              return route.fulfill({ status: 200, contentType: 'text/html', body: '' });
            }
            if (hop >= MAX_REDIRECTS || next.protocol !== at.protocol || this.offAllowlist(next)) return route.abort('blockedbyclient');
            res = await route.fetch({ url: next.href, maxRedirects: 0 });
            at = next;
          }
          return route.fulfill({ response: res });
        } catch {
          return route.abort('failed').catch(() => {});
        }
      });
    }
    return this.context.newPage();
  }

  /**
   * Loads a checked URL and scrapes it, following redirects: each hop is checked like any
   * URL (allowlist, robots.txt) and loaded through its own domain's gate. `url` is the page
   * the reviews were read from.
   */
  private async visit(start: URL, ctx: Pick<UnitContext, 'signal' | 'spend'>): Promise<Scraped & { url: URL }> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const got = await this.load(url, ctx);
      if (!('redirect' in got)) return { ...got, url };
      if (hop >= MAX_REDIRECTS) throw new RefusedUrlError(`refused ${start.href}: more than ${MAX_REDIRECTS} redirects`);
      url = await this.check(got.redirect.href, url);
    }
  }

  /** Loads a checked URL in the domain's tab through the domain's gate and scrapes it, or says where it redirects. */
  private async load(url: URL, ctx: Pick<UnitContext, 'signal' | 'spend'>): Promise<Scraped | { redirect: URL }> {
    if (this.pagesVisited >= this.cfg.maxPages) throw new PageCapReached('web.maxPages', this.cfg.maxPages);
    const rules = await this.robotsFor(url);
    const gate = this.gateSet.get(url.host);
    ctx.spend();
    this.pagesVisited++;
    if (rules.crawlDelaySec && rules.crawlDelaySec * 1000 > this.cfg.perDomainDelayMs) {
      // The site asks for more time between requests than configured.
      await new Promise((r) => setTimeout(r, rules.crawlDelaySec! * 1000 - this.cfg.perDomainDelayMs));
    }
    // One page load at a time per domain (politeness, and the domain's one tab).
    return this.exclusive(url.host, () => gate.run(
      `GET ${url.pathname}${url.search}`,
      async (): Promise<GateAnswer<Scraped | { redirect: URL }>> => {
        const page = await this.tab(url.host);
        try {
          this.redirects.delete(page.mainFrame());
          const res = await page.goto(url.href, { waitUntil: 'domcontentloaded', timeout: this.opts.config.crawl.requestTimeoutMs });
          const status = res?.status() ?? 0;
          const headers = res ? await res.allHeaders() : {};
          const redirect = this.redirects.get(page.mainFrame());
          if (redirect) {
            this.redirects.delete(page.mainFrame());
            return { status: 200, headers, value: { redirect } };
          }
          if (status !== 200) return { status, headers, detail: url.href };
          return { status, headers, value: (await page.evaluate(SCRAPE)) as Scraped };
        } catch (err) {
          // A broken tab is replaced on the next try.
          this.tabs.delete(url.host);
          await page.close().catch(() => {});
          throw new TransientError((err as Error).message.split('\n')[0], /timeout/i.test((err as Error).message) ? 'timeout' : 'network');
        }
      },
      ctx.signal,
    ));
  }

  private readonly locks = new Map<string, Promise<unknown>>();

  private exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    this.locks.set(key, run.catch(() => {}));
    return run;
  }

  async units(ctx: Omit<UnitContext, 'state'>): Promise<CrawlUnit[]> {
    const units = new Map<string, CrawlUnit>();
    const add = (u: URL) => {
      const id = `web:${u.host}${u.pathname}`;
      if (!units.has(id)) units.set(id, { id, label: `${u.host}${u.pathname}` });
    };
    for (const start of this.opts.startUrls ?? this.cfg.startUrls) {
      const scraped = await this.visit(await this.check(start), ctx);
      const url = scraped.url;
      if (scraped.productId || scraped.reviews.length > 0) {
        add(url);
        continue;
      }
      // An index page: its links on allowed domains, where robots.txt lets us go, are the product pages.
      for (const href of scraped.links) {
        try {
          const u = await this.check(href);
          if (u.host === url.host && u.pathname !== url.pathname) add(u);
        } catch (err) {
          if (!(err instanceof RefusedUrlError)) throw err;
        }
      }
    }
    return [...units.values()];
  }

  async *pages(unit: CrawlUnit, ctx: UnitContext): AsyncIterable<SourcePage> {
    let state = ctx.state;
    const [, hostPath] = /^web:(.*)$/.exec(unit.id) ?? [];
    const first = (this.opts.startUrls ?? this.cfg.startUrls).map((s) => new URL(s)).find((s) => `${s.host}${s.pathname}` === hostPath);
    const origin = first?.origin ?? `${this.originGuess(hostPath)}`;
    for (;;) {
      const scraped = await this.visit(await this.check(state?.after ?? `${origin}${hostPath.slice(hostPath.indexOf('/'))}`), ctx);
      const url = scraped.url;
      const fetchedAt = this.opts.now?.() ?? new Date();
      const product = scraped.productId ?? undefined;
      const items = scraped.reviews
        .filter((r) => r.id && r.time)
        .map((r) => ({ id: reviewPostId(url, r.id), createdAt: new Date(r.time as string), review: r }));
      let next: string | null = null;
      if (scraped.next) {
        try {
          next = (await this.check(scraped.next)).href;
        } catch (err) {
          if (!(err instanceof RefusedUrlError)) throw err;
        }
      }
      const step = passStep(unit.id, 'web', state, items, next);
      const posts: Post[] = step.keep.map(({ id, createdAt, review }) => ({
        _id: id,
        platform: 'web',
        kind: 'review',
        externalId: review.id,
        accountId: `web:${url.hostname}:${review.reviewer}`,
        author: review.reviewer,
        createdAt,
        week: isoWeek(createdAt),
        title: review.title || undefined,
        text: review.text || undefined,
        rating: review.rating ?? undefined,
        url: `${url.origin}${url.pathname}#review-${review.id}`,
        community: url.hostname,
        product,
        source: unit.id,
        fetchedAt,
      }));
      const accounts = new Map<string, Account>();
      for (const p of posts) accounts.set(p.accountId, { _id: p.accountId, platform: 'web', handle: p.author, firstSeenAt: fetchedAt, lastSeenAt: fetchedAt });
      yield { posts, accounts: [...accounts.values()], cursor: step.cursor };
      if (step.done) return;
      state = { ...step.cursor, updatedAt: fetchedAt };
    }
  }

  private originGuess(hostPath: string): string {
    const host = hostPath.slice(0, hostPath.indexOf('/'));
    const known = [...this.robots.keys()].find((o) => new URL(o).host === host);
    return known ?? `https://${host}`;
  }

  async close(): Promise<void> {
    if (this.browser) {
      const b = await this.browser.catch(() => undefined);
      await b?.close().catch(() => {});
    }
    this.browser = undefined;
    this.context = undefined;
    this.tabs.clear();
  }
}

/** An allowDomains entry ("host" or "host:port", IPv6 in brackets) as URL parts, lower-cased and normalised like URLs are. */
function allowEntry(entry: string): { hostname: string; port: string } {
  const raw = entry.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(raw);
  try {
    const u = new URL(`http://${m ? m[1] : raw}`);
    return { hostname: u.hostname, port: m ? String(Number(m[2])) : '' };
  } catch {
    return { hostname: raw, port: m ? m[2] : '' };
  }
}

/** posts._id of a review: a hash of its canonical URL (host name without port, product path, review id). */
export function reviewPostId(pageUrl: URL, reviewId: string): string {
  return `web:${createHash('sha256').update(`${pageUrl.hostname}${pageUrl.pathname}#${reviewId}`).digest('hex').slice(0, 24)}`;
}
