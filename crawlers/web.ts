// Product review pages through playwright-core and the system Chromium. Only domains on
// web.allowDomains are visited (anything else is refused before any request: this also
// keeps the crawler from being pointed at internal addresses), robots.txt is honoured
// (our user agent's group, else "*"; Crawl-delay raises the per-domain delay), and
// review pages are followed through rel="next" pagination, newest first.
import { createHash } from 'node:crypto';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { isoWeek } from '../analysis/time';
import type { Config } from '../config/index';
import type { Account, Post } from '../storage/types';
import { passStep } from './cursor';
import { httpRequest } from './http';
import { type GateAnswer, type GateFactory, GateSet, localGates, type RequestGate, TransientError } from './rate-gate';
import { parseRobots, type RobotsRules, robotsAllows } from './robots';
import type { CrawlUnit, Source, SourcePage, UnitContext } from './source';

export const WEB_USER_AGENT = 'ringwatch/0.1 (+review-ring research crawler)';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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
  config: Config;
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
  private readonly cfg: Config['web'];
  private pagesVisited = 0;

  constructor(private readonly opts: WebSourceOptions) {
    this.cfg = opts.config.web;
    this.gateSet = new GateSet(
      (host) => (opts.gates ?? localGates)({ name: `web ${host}`, style: 'retry-after', windowMs: this.cfg.perDomainDelayMs, limit: 1, safety: 0, maxRetries: opts.config.crawl.maxRetries }),
    );
  }

  gates(): RequestGate[] {
    return this.gateSet.all();
  }

  /** Refuses URLs outside the allowlist or disallowed by robots.txt, with the reason. */
  /** Why the browser may not fetch this URL at all, or null (scheme and allowlist only; robots.txt is checked per page). */
  private offAllowlist(url: URL): string | null {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https are crawled';
    const allowed = this.cfg.allowDomains.map((d) => d.toLowerCase());
    if (!allowed.includes(url.host.toLowerCase()) && !allowed.includes(url.hostname.toLowerCase())) {
      return `${url.host} is not in web.allowDomains (${allowed.join(', ') || 'empty'})`;
    }
    return null;
  }

  async check(raw: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new RefusedUrlError(`refused ${raw}: not a URL`);
    }
    const why = this.offAllowlist(url);
    if (why) throw new RefusedUrlError(`refused ${raw}: ${why}`);
    const rules = await this.robotsFor(url);
    if (!robotsAllows(rules, url.pathname + url.search)) throw new RefusedUrlError(`refused ${raw}: ${url.origin}/robots.txt disallows ${url.pathname}`);
    return url;
  }

  private robotsFor(url: URL): Promise<RobotsRules> {
    let p = this.robots.get(url.origin);
    if (!p) {
      p = this.gateSet
        .get(url.host)
        .run('GET /robots.txt', async (): Promise<GateAnswer<string>> => {
          const res = await httpRequest({ url: `${url.origin}/robots.txt`, headers: { 'user-agent': WEB_USER_AGENT }, timeoutMs: this.opts.config.crawl.requestTimeoutMs });
          // No robots.txt (4xx) means everything is allowed; 5xx is retried, then the site is skipped.
          if (res.status >= 400 && res.status < 500 && res.status !== 429) return { status: 200, headers: res.headers, value: '' };
          return { status: res.status, headers: res.headers, value: res.text };
        })
        .then((text) => parseRobots(text, WEB_USER_AGENT));
      this.robots.set(url.origin, p);
    }
    return p;
  }

  private readonly tabs = new Map<string, Promise<Page>>();

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
      this.context = await browser.newContext({ userAgent: WEB_USER_AGENT, javaScriptEnabled: true });
      // Every request the browser makes (redirect hops, subresources, scripts' fetches)
      // must stay on the allowlist. Chromium follows a redirect of a continued request
      // without asking us again, so requests are fetched here without following
      // redirects and each hop is checked: otherwise an allowed page, or its 302,
      // could make the browser fetch an internal address (SSRF).
      await this.context.route('**/*', async (route) => {
        const req = route.request();
        if (SKIPPED_RESOURCES.has(req.resourceType()) || this.offAllowlist(new URL(req.url()))) return route.abort('blockedbyclient');
        const res = await route.fetch({ maxRedirects: 0 });
        const location = res.headers().location;
        if (res.status() >= 300 && res.status() < 400 && location && this.offAllowlist(new URL(location, req.url()))) {
          return route.abort('blockedbyclient');
        }
        return route.fulfill({ response: res });
      });
    }
    return this.context.newPage();
  }

  /** Loads a checked URL in a fresh tab through the domain's gate and scrapes it. */
  private async visit(url: URL, ctx: Pick<UnitContext, 'signal' | 'spend'>): Promise<Scraped> {
    if (this.pagesVisited >= this.cfg.maxPages) throw new Error(`web.maxPages (${this.cfg.maxPages}) reached`);
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
      async (): Promise<GateAnswer<Scraped>> => {
        const page = await this.tab(url.host);
        try {
          const res = await page.goto(url.href, { waitUntil: 'domcontentloaded', timeout: this.opts.config.crawl.requestTimeoutMs });
          const status = res?.status() ?? 0;
          const headers = res ? await res.allHeaders() : {};
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
      const url = await this.check(start);
      const scraped = await this.visit(url, ctx);
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
      const url = await this.check(state?.after ?? `${origin}${hostPath.slice(hostPath.indexOf('/'))}`);
      const scraped = await this.visit(url, ctx);
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

/** posts._id of a review: a hash of its canonical URL (host name without port, product path, review id). */
export function reviewPostId(pageUrl: URL, reviewId: string): string {
  return `web:${createHash('sha256').update(`${pageUrl.hostname}${pageUrl.pathname}#${reviewId}`).digest('hex').slice(0, 24)}`;
}
