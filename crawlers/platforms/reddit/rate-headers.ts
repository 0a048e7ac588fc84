// Reddit's rate headers: X-Ratelimit-Remaining / -Used, and -Reset in whole seconds from
// now (rounded up), per OAuth client over a 10-minute window.
import { type HeaderStyle, header } from '../../rate-gate';

export const REDDIT_HEADERS: HeaderStyle = {
  read(h, receivedAt) {
    const remaining = Number.parseFloat(header(h, 'x-ratelimit-remaining') ?? '');
    const used = Number.parseFloat(header(h, 'x-ratelimit-used') ?? '');
    const reset = Number.parseFloat(header(h, 'x-ratelimit-reset') ?? '');
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return {};
    // Reset is whole seconds to the window's end, rounded up: the end lies in (reset-1, reset] s.
    return {
      remaining: Math.floor(remaining),
      limit: Number.isFinite(used) ? Math.round(used + remaining) : undefined,
      resetLo: receivedAt + Math.max(0, reset - 1) * 1000,
      resetHi: receivedAt + reset * 1000,
    };
  },
};
