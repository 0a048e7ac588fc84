// The board's source: one unit per board, pages of posts newest first with a `next`
// cursor, every request through a rate gate paced by the board's RateLimit headers.
import { createHash } from 'node:crypto';
import { isoWeek } from '../../../analysis/time';
import { applyCursor, passStep } from '../../../crawlers/cursor';
import { httpRequest, jsonAnswer } from '../../../crawlers/http';
import { type GateFactory, localGates, type RequestGate } from '../../../crawlers/rate-gate';
import type { CrawlUnit, Source, SourcePage, UnitContext } from '../../../crawlers/source';
import type { BoardSettings } from './config';
import { IETF_HEADERS } from './rate-headers';

export interface BoardPost {
  id: string;
  author: string;
  text: string;
  created: string;
}

export interface BoardPage {
  posts: BoardPost[];
  next: string | null;
}

export class BoardSource implements Source {
  readonly platform = 'board';
  private readonly gate: RequestGate;

  constructor(
    private readonly config: BoardSettings,
    gates: GateFactory = localGates,
  ) {
    const app = createHash('sha256').update(config.secrets.boardToken ?? '').digest('hex').slice(0, 8);
    this.gate = gates({ name: `board ${app}`, style: IETF_HEADERS, windowMs: config.board.rateWindowSec * 1000, maxRetries: config.crawl.maxRetries });
  }

  gates(): RequestGate[] {
    return [this.gate];
  }

  async units(): Promise<CrawlUnit[]> {
    return this.config.board.boards.map((b) => ({ id: `board:${b}`, label: `board ${b}` }));
  }

  async *pages(unit: CrawlUnit, ctx: UnitContext): AsyncIterable<SourcePage> {
    const name = unit.id.slice('board:'.length);
    let state = ctx.state;
    for (;;) {
      const url = new URL(`api/boards/${encodeURIComponent(name)}/posts`, this.config.board.baseUrl);
      if (state?.after) url.searchParams.set('cursor', state.after);
      ctx.spend();
      const page = await this.gate.run<BoardPage>(
        unit.label,
        async () => jsonAnswer(await httpRequest({ url: url.href, headers: { authorization: `Bearer ${this.config.secrets.boardToken}` }, timeoutMs: this.config.crawl.requestTimeoutMs, signal: ctx.signal })),
        ctx.signal,
      );
      const items = page.posts.map((p) => ({ ...p, createdAt: new Date(p.created) }));
      const step = passStep(unit.id, unit.id, state, items, page.next);
      const now = new Date();
      yield {
        posts: step.keep.map((p) => ({
          _id: `board:${p.id}`,
          platform: 'board',
          kind: 'submission' as const,
          externalId: p.id,
          accountId: `board:${p.author}`,
          author: p.author,
          createdAt: p.createdAt,
          week: isoWeek(p.createdAt),
          text: p.text,
          community: name,
          source: unit.id,
          fetchedAt: now,
        })),
        accounts: [...new Set(step.keep.map((p) => p.author))].map((a) => ({ _id: `board:${a}`, platform: 'board', handle: a, firstSeenAt: now, lastSeenAt: now })),
        cursor: step.cursor,
      };
      if (step.done) return;
      state = applyCursor(step.cursor);
    }
  }

  async close(): Promise<void> {}
}
