// Platform-shaped identifiers: Reddit base36 ids, X snowflake ids, ringwatch account ids.

const TWITTER_EPOCH = 1288834974657n;

/** X snowflake: 41 bits of ms since the Twitter epoch, then worker and sequence bits. */
export function snowflake(ms: number, sequence: number): string {
  const t = BigInt(Math.max(0, Math.floor(ms) - Number(TWITTER_EPOCH)));
  return ((t << 22n) | (BigInt(sequence & 0x3fffff))).toString();
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + TWITTER_EPOCH);
}

/** X user ids: snowflakes for accounts created after 2013, small sequential-looking numbers before. */
export function twitterUserId(createdMs: number, salt: number): string {
  const cutoff = Date.UTC(2013, 5, 1);
  if (createdMs >= cutoff) return snowflake(createdMs, 1_000_000 + (salt % 3_000_000));
  const base = Date.UTC(2006, 2, 21);
  const perMs = 1.5e9 / (cutoff - base);
  return String(Math.max(12, Math.floor((createdMs - base) * perMs)) * 10 + (salt % 10));
}

export function base36(n: number): string {
  return n.toString(36);
}

export function redditAccountId(name: string): string {
  return `reddit:u/${name}`;
}

export function twitterAccountId(userId: string): string {
  return `twitter:${userId}`;
}

export function webAccountId(domain: string, reviewer: string): string {
  return `web:${domain}:${reviewer}`;
}
