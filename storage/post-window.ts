// Reading posts by time: the span of the stored posts and the posts of one window.
// Detection asks for both on every run, so they must not cost a sort or a scan of
// every post (see docs/benchmarks.md, "store phases").
import type { Repository } from './repository';
import type { Post } from './types';

export interface PostSpan {
  oldest: Date | null;
  newest: Date | null;
  /** Stored posts (deleted ones included), estimated. */
  count: number;
}

export class PostWindow {
  constructor(private readonly posts: Repository<Post>) {}

  /** The oldest and newest stored `createdAt`. */
  async span(): Promise<PostSpan> {
    const [newest] = await this.posts.find({}, { sort: { createdAt: -1 }, limit: 1, projection: { createdAt: 1 } });
    const [oldest] = await this.posts.find({}, { sort: { createdAt: 1 }, limit: 1, projection: { createdAt: 1 } });
    return { oldest: oldest?.createdAt ?? null, newest: newest?.createdAt ?? null, count: await this.posts.estimatedCount() };
  }

  /** Posts with since ≤ createdAt ≤ until (deleted ones included: the caller decides), projected. */
  stream(since: Date, until: Date, projection: Record<string, 0 | 1>): AsyncIterable<Post> {
    return this.posts.stream({ createdAt: { $gte: since, $lte: until } }, { projection });
  }
}
