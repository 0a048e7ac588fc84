// A small search-query language shared by the Reddit and X imitations:
// words (all must match), "quoted phrases", OR, parentheses, -negation and field:value
// operators (from:, author:, subreddit:, is:retweet, …). Matching is on word boundaries,
// case-insensitive, like both platforms' keyword search.

export type QueryNode =
  | { kind: 'and'; items: QueryNode[] }
  | { kind: 'or'; items: QueryNode[] }
  | { kind: 'not'; item: QueryNode }
  | { kind: 'text'; value: string }
  | { kind: 'field'; field: string; value: string };

export class QueryError extends Error {}

function tokenize(q: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\(|\)|-?"[^"]*"|-?[^\s()"]+(?:"[^"]*")?)/gy;
  for (let m = re.exec(q); m !== null; m = re.lastIndex >= q.length ? null : re.exec(q)) tokens.push(m[1]);
  if (q.trim() && tokens.join('').replace(/\s/g, '').length < q.replace(/\s/g, '').length) throw new QueryError(`cannot parse query: ${q}`);
  return tokens;
}

export function parseQuery(q: string): QueryNode {
  const tokens = tokenize(q);
  let i = 0;
  const parseOr = (): QueryNode => {
    const items = [parseAnd()];
    while (tokens[i] === 'OR') {
      i++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  };
  const parseAnd = (): QueryNode => {
    const items: QueryNode[] = [];
    while (i < tokens.length && tokens[i] !== ')' && tokens[i] !== 'OR') items.push(parseUnary());
    if (items.length === 0) throw new QueryError('empty query or group');
    return items.length === 1 ? items[0] : { kind: 'and', items };
  };
  const parseUnary = (): QueryNode => {
    const t = tokens[i];
    if (t === '-' || (t.startsWith('-') && t.length > 1 && t !== '-(')) {
      tokens[i] = t.slice(1);
      return { kind: 'not', item: parseUnary() };
    }
    return parseAtom();
  };
  const parseAtom = (): QueryNode => {
    const t = tokens[i++];
    if (t === '(') {
      const inner = parseOr();
      if (tokens[i++] !== ')') throw new QueryError('unbalanced parentheses');
      return inner;
    }
    if (t.startsWith('"')) return { kind: 'text', value: t.slice(1, -1) };
    const m = /^([a-z_]+):(.+)$/i.exec(t);
    if (m && !/^https?$/i.test(m[1])) return { kind: 'field', field: m[1].toLowerCase(), value: m[2].replace(/^"|"$/g, '') };
    return { kind: 'text', value: t };
  };
  const node = parseOr();
  if (i < tokens.length) throw new QueryError(`unexpected "${tokens[i]}"`);
  return node;
}

/**
 * Lower-case words separated by single spaces, padded, for word-boundary matching.
 * A #hashtag or @mention in a document also counts as the bare word (keyword search on
 * X and Reddit splits on symbols), so documents are expanded; query values are not.
 */
export function normalise(text: string, expandSymbols = true): string {
  const words = text.toLowerCase().replace(/[^\p{L}\p{N}#@$_]+/gu, ' ').trim();
  return ` ${expandSymbols ? words.replace(/(^|\s)[#@$]([\p{L}\p{N}_]+)/gu, '$&$1$2') : words} `;
}

export function matchesText(normalisedText: string, value: string): boolean {
  const v = normalise(value, false);
  return v.trim() === '' ? true : normalisedText.includes(v);
}

export function evaluate(node: QueryNode, text: string, field: (name: string, value: string) => boolean): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every((n) => evaluate(n, text, field));
    case 'or':
      return node.items.some((n) => evaluate(n, text, field));
    case 'not':
      return !evaluate(node.item, text, field);
    case 'text':
      return matchesText(text, node.value);
    case 'field':
      return field(node.field, node.value);
  }
}
