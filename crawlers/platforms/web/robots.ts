// robots.txt (RFC 9309): the group for our user agent (else "*"), longest matching
// Allow/Disallow rule wins, Allow wins ties; "*" and "$" patterns; Crawl-delay read too.

export interface RobotsRules {
  allow: string[];
  disallow: string[];
  crawlDelaySec?: number;
}

export function parseRobots(text: string, userAgent: string): RobotsRules {
  const token = userAgent.toLowerCase().split(/[/\s]/)[0];
  type Group = { agents: string[]; rules: RobotsRules };
  const groups: Group[] = [];
  let current: Group | null = null;
  let lastWasAgent = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = m[2].trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: { allow: [], disallow: [] } };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' && value) current.rules.allow.push(value);
    else if (key === 'disallow' && value) current.rules.disallow.push(value);
    else if (key === 'crawl-delay' && Number.isFinite(Number(value))) current.rules.crawlDelaySec = Number(value);
  }
  const mine = groups.filter((g) => g.agents.some((a) => a !== '*' && token.includes(a)));
  const chosen = mine.length ? mine : groups.filter((g) => g.agents.includes('*'));
  return {
    allow: chosen.flatMap((g) => g.rules.allow),
    disallow: chosen.flatMap((g) => g.rules.disallow),
    crawlDelaySec: chosen.find((g) => g.rules.crawlDelaySec !== undefined)?.rules.crawlDelaySec,
  };
}

/**
 * Whether `path` matches a robots.txt pattern: "*" is any run of characters, a final "$"
 * the end of the path, everything else literal. Google's robots matcher: the set of path
 * positions the pattern can have reached, one pass over the pattern, O(|pattern|·|path|)
 * whatever the stars (a backtracking regex took 72.8 s for "/************Z", issue 14.4).
 */
export function robotsMatch(path: string, pattern: string): boolean {
  const n = path.length;
  const pos = new Int32Array(n + 1);
  let count = 1;
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern.charCodeAt(k);
    if (c === 36 /* $ */ && k === pattern.length - 1) return pos[count - 1] === n;
    if (c === 42 /* * */) {
      const from = pos[0];
      count = n - from + 1;
      for (let i = 0; i < count; i++) pos[i] = from + i;
      continue;
    }
    let kept = 0;
    for (let i = 0; i < count; i++) if (pos[i] < n && path.charCodeAt(pos[i]) === c) pos[kept++] = pos[i] + 1;
    count = kept;
    if (count === 0) return false;
  }
  return true;
}

/** A rule's priority when it matches: its length as written (Google's and RFC 9309's "most specific"), else -1. */
function matchLength(pattern: string, path: string): number {
  return robotsMatch(path, pattern) ? pattern.length : -1;
}

/** Whether `pathAndQuery` (e.g. "/products/B0X?page=2") may be fetched. */
export function robotsAllows(rules: RobotsRules, pathAndQuery: string): boolean {
  let best = -1;
  let allowed = true;
  for (const p of rules.disallow) {
    const n = matchLength(p, pathAndQuery);
    if (n > best) {
      best = n;
      allowed = false;
    }
  }
  for (const p of rules.allow) {
    const n = matchLength(p, pathAndQuery);
    if (n >= best && n >= 0) {
      best = n;
      allowed = true;
    }
  }
  return allowed;
}
