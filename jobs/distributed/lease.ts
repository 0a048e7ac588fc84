// A queue job's hold on its work, kept with the run's own lock token.
// BullMQ renews locks per job id, with the token it tracked last for that id. After a 429 has
// rate-limited the queue it was seen to hand one unit job out twice (to both workers, or to two
// slots of one process; docs/operations.md): two runs then crawl one unit from one cursor, and
// the run that saves its cursor last can move it back past pages the other stored. BullMQ's
// renewals cannot tell the two runs apart, and a renewal that fails names only the job id.
// A lease renews with its own run's token on its own timer, and `check()` renews once more
// right before a cursor is saved: a run whose lock is someone else's (or gone) stops there and
// writes nothing more. The lock then lasts a full lock duration from the check, longer than
// the write.
import type { Job as BullJob } from 'bullmq';

/** The run's lock is held by another run now (or lapsed): the work is theirs. */
export class LeaseLost extends Error {
  constructor(readonly jobId: string) {
    super(`lost the lock of job ${jobId}: another run holds it now, or it lapsed`);
    this.name = 'LeaseLost';
  }
}

/** What a lease needs of a BullMQ job: its id and the lock renewal with a token. */
export type LeasedJob = Pick<BullJob, 'id' | 'extendLock'>;

export class JobLease {
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly job: LeasedJob,
    private readonly token: string,
    private readonly durationMs: number,
    private readonly onLost: (err: LeaseLost) => void = () => {},
  ) {}

  /** Aborted when the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Renews every third of the lock duration until `stop()`. */
  start(): this {
    const tick = () => {
      this.renew().then(
        () => {
          if (!this.controller.signal.aborted && this.timer) this.timer = setTimeout(tick, this.durationMs / 3);
        },
        () => {},
      );
    };
    this.timer = setTimeout(tick, this.durationMs / 3);
    return this;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Renews now; throws LeaseLost (and aborts `signal`) when the lock is no longer this run's. */
  async check(): Promise<void> {
    await this.renew();
  }

  private async renew(): Promise<void> {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
    let held: unknown;
    try {
      held = await this.job.extendLock(this.token, this.durationMs);
    } catch {
      // Redis unreachable: the lock may still be ours; the next renewal or check decides.
      return;
    }
    if (Number(held) === 1) return;
    const err = new LeaseLost(String(this.job.id));
    this.stop();
    this.controller.abort(err);
    this.onLost(err);
    throw err;
  }
}
