// The IETF draft's RateLimit-Limit / -Remaining / -Reset (seconds until the window ends),
// a style none of the built-in platforms uses.
import { type HeaderStyle, header } from '../../../crawlers/rate-gate';

export const IETF_HEADERS: HeaderStyle = {
  read(h, receivedAt) {
    const limit = Number.parseInt(header(h, 'ratelimit-limit') ?? '', 10);
    const remaining = Number.parseInt(header(h, 'ratelimit-remaining') ?? '', 10);
    const reset = Number.parseFloat(header(h, 'ratelimit-reset') ?? '');
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return {};
    return { limit: Number.isFinite(limit) ? limit : undefined, remaining, resetLo: receivedAt + reset * 1000, resetHi: receivedAt + reset * 1000 };
  },
};
