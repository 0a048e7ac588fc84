// A review web site over the simulated world: robots.txt, a product index and product
// pages with reviews in plain semantic markup, paginated with rel="next", plus paths
// robots.txt forbids. Every piece of user text is HTML-escaped.
import { createServer, type Server } from 'node:http';
import { type FaultDecision, FaultInjector, type FaultOptions } from './faults';
import { type SimRequest, type SimResponse, listener } from './http';
import { reviewDay } from './review-site';
import { RequestLog } from './stats';
import type { SimProduct } from './catalogue';
import type { WebReview, World } from './world';

export interface WebSimOptions {
  world: World;
  /** Reviews per product page. */
  pageSize?: number;
  faults?: FaultOptions;
  log?: RequestLog;
}

export interface WebSim {
  server: Server;
  log: RequestLog;
  faults: FaultInjector;
  setFaults(options: FaultOptions): void;
  /** Adds a review now (e.g. with hostile text, to check escaping downstream). */
  addReview(input: { productId: string; reviewer: string; rating: number; title: string; text: string }): WebReview;
}

export const ROBOTS_TXT = `User-agent: *
Disallow: /private/
Disallow: /cart
Allow: /products

User-agent: BadBot
Disallow: /
`;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} | Sim Reviews</title>
<meta property="og:site_name" content="Sim Reviews">
${head}</head>
<body>
<nav><a href="/">Home</a> · <a href="/products">All products</a> · <a href="/cart">Cart</a></nav>
<main>
${body}
</main>
</body>
</html>
`;
}

function html(status: number, body: string, headers: Record<string, string> = {}): SimResponse {
  return { status, body, contentType: 'text/html; charset=utf-8', headers };
}

export function createWebSim(options: WebSimOptions): WebSim {
  const world = options.world;
  const pageSize = options.pageSize ?? 10;
  const log = options.log ?? new RequestLog();
  const faults = new FaultInjector(options.faults);
  const products = new Map(world.products.map((p) => [p.id, p]));
  const reviewsByProduct = new Map<string, WebReview[]>();
  for (const r of world.web.reviews) {
    const list = reviewsByProduct.get(r.productId);
    if (list) list.push(r);
    else reviewsByProduct.set(r.productId, [r]);
  }
  // Newest first, as review sites list them.
  for (const list of reviewsByProduct.values()) list.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  let counter = 0;
  const startedReal = Date.now();

  const reviewHtml = (r: WebReview) => {
    const date = new Date(r.createdAt);
    const stars = '★'.repeat(r.rating) + '☆'.repeat(5 - r.rating);
    return `<article class="review" data-review-id="${escapeHtml(r.id)}" id="review-${escapeHtml(r.id)}">
  <header>
    <span class="reviewer">${escapeHtml(r.reviewer)}</span>
    <span class="rating" data-rating="${r.rating}" aria-label="${r.rating} out of 5 stars">${stars}</span>
    <time datetime="${date.toISOString().slice(0, 10)}">${date.toUTCString().slice(5, 16)}</time>
    ${r.verifiedPurchase ? '<span class="verified">Verified purchase</span>' : ''}
  </header>
  <h3 class="review-title">${escapeHtml(r.title)}</h3>
  <p class="review-text">${escapeHtml(r.text)}</p>
</article>`;
  };

  const productPage = (p: SimProduct, n: number): SimResponse => {
    const all = reviewsByProduct.get(p.id) ?? [];
    const pages = Math.max(1, Math.ceil(all.length / pageSize));
    if (n < 1 || n > pages) return html(404, page('Not found', '<h1>Page not found</h1>'));
    const slice = all.slice((n - 1) * pageSize, n * pageSize);
    const url = (k: number) => `/products/${encodeURIComponent(p.id)}?page=${k}`;
    const head = [n < pages ? `<link rel="next" href="${url(n + 1)}">` : '', n > 1 ? `<link rel="prev" href="${url(n - 1)}">` : '', `<link rel="canonical" href="${url(n)}">`].filter(Boolean).join('\n');
    const avg = all.length ? (all.reduce((s, r) => s + r.rating, 0) / all.length).toFixed(1) : '–';
    const body = `<section class="product" data-product-id="${escapeHtml(p.id)}">
  <h1 class="product-name">${escapeHtml(p.name)}</h1>
  <dl>
    <dt>Brand</dt><dd class="brand">${escapeHtml(p.brand)}</dd>
    <dt>Category</dt><dd class="category">${escapeHtml(p.category)}</dd>
    <dt>ASIN</dt><dd class="asin">${escapeHtml(p.id)}</dd>
    <dt>Price</dt><dd class="price">$${p.priceUsd.toFixed(2)}</dd>
  </dl>
  <p class="summary"><span class="average-rating">${avg}</span> out of 5 · <span class="review-count">${all.length}</span> reviews</p>
</section>
<section class="reviews">
${slice.map(reviewHtml).join('\n')}
</section>
<nav class="pagination">
  ${n > 1 ? `<a rel="prev" href="${url(n - 1)}">Previous</a>` : ''}
  <span class="page">Page ${n} of ${pages}</span>
  ${n < pages ? `<a rel="next" href="${url(n + 1)}">Next</a>` : ''}
</nav>`;
    return html(200, page(p.name, body, `${head}\n`));
  };

  const handle = (req: SimRequest): SimResponse => {
    const path = req.path;
    const client = String(req.headers['user-agent'] ?? 'anonymous').slice(0, 60);
    const route = (endpoint: string, out: SimResponse): SimResponse => ({ ...out, endpoint, client });
    if (req.method !== 'GET' && req.method !== 'HEAD') return route(`${req.method} ${path}`, html(405, page('Method not allowed', '<h1>Method not allowed</h1>')));
    if (path === '/robots.txt') return route('GET /robots.txt', { status: 200, body: ROBOTS_TXT, contentType: 'text/plain; charset=utf-8' });
    if (path === '/') return route('GET /', html(200, page('Home', '<h1>Sim Reviews</h1><p><a href="/products">Browse all products</a></p>')));
    if (path === '/products' || path === '/products/') {
      const items = world.products.map((p) => `<li class="product-link"><a href="/products/${encodeURIComponent(p.id)}" data-product-id="${escapeHtml(p.id)}">${escapeHtml(p.name)}</a> <span class="review-count">${reviewsByProduct.get(p.id)?.length ?? 0}</span></li>`);
      return route('GET /products', html(200, page('All products', `<h1>All products</h1>\n<ul class="products">\n${items.join('\n')}\n</ul>`)));
    }
    const m = /^\/products\/([^/]+)$/.exec(path);
    if (m) {
      const p = products.get(decodeURIComponent(m[1]));
      if (!p) return route('GET /products/{id}', html(404, page('Not found', '<h1>No such product</h1>')));
      const n = Number(req.query.get('page') ?? '1');
      return route('GET /products/{id}', productPage(p, Number.isInteger(n) ? n : 0));
    }
    if (path.startsWith('/private/') || path === '/private') {
      return route('GET /private/*', html(200, page('Private', '<h1>Internal moderation queue</h1><p class="secret">Crawlers must not be here: robots.txt disallows /private/.</p>')));
    }
    if (path === '/cart' || path.startsWith('/cart/')) return route('GET /cart', html(200, page('Cart', '<h1>Your cart is empty</h1>')));
    return route(`GET ${path}`, html(404, page('Not found', '<h1>Page not found</h1>')));
  };

  const faultResponse = (d: FaultDecision, req: SimRequest): SimResponse => {
    const client = String(req.headers['user-agent'] ?? 'anonymous').slice(0, 60);
    if (d.kind === '429') {
      const wait = Math.max(1, Math.ceil(((d.stormUntil ?? faults.now()) - faults.now()) / 1000));
      return { ...html(429, page('Too many requests', '<h1>Slow down</h1>'), { 'retry-after': String(wait) }), client };
    }
    return { ...html(d.status ?? 503, page('Unavailable', '<h1>Service temporarily unavailable</h1>')), client };
  };

  const server = createServer(listener({ platform: 'web', faults, log, faultable: (path) => path !== '/robots.txt', faultResponse, handle }));
  server.keepAliveTimeout = 5000;

  return {
    server,
    log,
    faults,
    setFaults: (o) => faults.set(o),
    addReview: (input) => {
      const p = products.get(input.productId);
      if (!p) throw new Error(`no such product ${input.productId}`);
      const r: WebReview = { id: `RSIM${String(++counter).padStart(10, '0')}`, productId: p.id, reviewer: input.reviewer, rating: input.rating, title: input.title, text: input.text, createdAt: reviewDay(world.now + (Date.now() - startedReal)), verifiedPurchase: false };
      world.web.reviews.push(r);
      const list = reviewsByProduct.get(p.id);
      if (list) list.unshift(r);
      else reviewsByProduct.set(p.id, [r]);
      return r;
    },
  };
}
