// X's rate headers: x-rate-limit-limit / -remaining, and -reset as epoch seconds on X's
// clock, per app and endpoint over a 15-minute window that starts with its first request.
import { type HeaderStyle, header } from '../../rate-gate';

export const X_HEADERS: HeaderStyle = {
  serverClock: true,
  windowStartsAtFirstRequest: true,
  read(h, _receivedAt, clockOffset) {
    const limit = Number.parseInt(header(h, 'x-rate-limit-limit') ?? '', 10);
    const remaining = Number.parseInt(header(h, 'x-rate-limit-remaining') ?? '', 10);
    const reset = Number.parseInt(header(h, 'x-rate-limit-reset') ?? '', 10);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return {};
    // Epoch seconds on the server's clock; the offset estimate is good to about a second.
    const local = reset * 1000 - clockOffset;
    return { limit: Number.isFinite(limit) ? limit : undefined, remaining, resetLo: local - 1000, resetHi: local + 1000 };
  },
};
