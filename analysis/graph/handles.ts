// Handle normalisation, so that "u/Deal_Hunter", "@deal_hunter" and "Deal-Hunter" meet.

/** Lower-case, without "u/", "/u/", "@" prefixes and without punctuation. */
export function normaliseHandle(handle: string): string {
  return handle
    .trim()
    .toLowerCase()
    .replace(/^\/?u\//, '')
    .replace(/^@/, '')
    .replace(/[^a-z0-9]/g, '');
}

/** Key of a platform-qualified reference: "reddit:u/name" → "reddit|name", "twitter:@h" → "twitter|h". */
export function referenceKey(platform: string, handle: string): string {
  return `${platform.toLowerCase()}|${normaliseHandle(handle)}`;
}

/** Splits an enrichment mention ("reddit:u/name", "twitter:@handle") into platform and handle. */
export function parseMention(mention: string): { platform: string; handle: string } | null {
  const i = mention.indexOf(':');
  if (i <= 0) return null;
  return { platform: mention.slice(0, i), handle: mention.slice(i + 1) };
}
