// vcrpy YAML cassettes (tweepy): `interactions[]` of `request {method, uri}` and `response
// {status {code}, headers {name: [values]}, body {string}}`, the body `!!binary |` base64
// (gzip where `content-encoding: gzip`) or text. Read with a parser for the YAML subset
// vcrpy writes (block mappings and sequences, plain / single / double-quoted scalars that
// may wrap onto more-indented lines, `!!binary |` and `|` blocks): no YAML package is a
// dependency of the project.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { flattenHeaders, type Recording } from './recording';

interface Line {
  indent: number;
  text: string;
  n: number;
}

type Node = null | boolean | number | string | Buffer | Node[] | { [k: string]: Node };

const KEY = /^([A-Za-z0-9_.\- ]+?):(?: +(.*))?$/;

class YamlSubset {
  private i = 0;
  constructor(
    private readonly lines: Line[],
    private readonly file: string,
  ) {}

  private fail(msg: string): never {
    const l = this.lines[Math.min(this.i, this.lines.length - 1)];
    throw new Error(`${this.file}:${l?.n ?? '?'}: ${msg}`);
  }

  document(): Node {
    const v = this.node(0);
    if (this.i < this.lines.length) this.fail('unexpected content');
    return v;
  }

  private node(indent: number): Node {
    const l = this.lines[this.i];
    if (!l || l.indent < indent) return null;
    return l.text === '-' || l.text.startsWith('- ') ? this.sequence(l.indent) : this.mapping(l.indent);
  }

  private sequence(indent: number): Node[] {
    const out: Node[] = [];
    for (let l = this.lines[this.i]; l && l.indent === indent && (l.text === '-' || l.text.startsWith('- ')); l = this.lines[this.i]) {
      const rest = l.text.slice(1).trimStart();
      const at = indent + (l.text.length - rest.length);
      if (rest === '') {
        this.i++;
        out.push(this.node(indent + 1));
      } else if (KEY.test(rest) && !/^['"]/.test(rest)) {
        // "- key: value" opens a mapping at the item's column.
        this.lines[this.i] = { ...l, indent: at, text: rest };
        out.push(this.mapping(at));
      } else {
        this.i++;
        out.push(this.scalar(rest, indent));
      }
    }
    return out;
  }

  private mapping(indent: number): { [k: string]: Node } {
    const out: { [k: string]: Node } = {};
    for (let l = this.lines[this.i]; l && l.indent === indent && !l.text.startsWith('- '); l = this.lines[this.i]) {
      const m = KEY.exec(l.text);
      if (!m) this.fail(`expected "key: value", got ${JSON.stringify(l.text.slice(0, 40))}`);
      this.i++;
      const rest = m[2];
      if (rest === undefined || rest === '') {
        const next = this.lines[this.i];
        if (next && next.indent > indent) out[m[1]] = this.node(next.indent);
        else if (next && next.indent === indent && next.text.startsWith('- ')) out[m[1]] = this.sequence(indent);
        else out[m[1]] = null;
      } else out[m[1]] = this.scalar(rest, indent);
    }
    return out;
  }

  /** Lines below `indent` that continue a scalar (wrapped or a block). */
  private continuation(indent: number): Line[] {
    const out: Line[] = [];
    while (this.lines[this.i] && this.lines[this.i].indent > indent) out.push(this.lines[this.i++]);
    return out;
  }

  private scalar(first: string, indent: number): Node {
    if (first.startsWith('!!binary')) {
      if (first.replace('!!binary', '').trim() !== '|') this.fail('expected "!!binary |"');
      return Buffer.from(
        this.continuation(indent)
          .map((l) => l.text)
          .join(''),
        'base64',
      );
    }
    if (first === '|' || first === '|-') {
      const block = this.continuation(indent);
      const base = block[0]?.indent ?? 0;
      const text = block.map((l) => ' '.repeat(l.indent - base) + l.text).join('\n');
      return first === '|' ? `${text}\n` : text;
    }
    // Wrapped lines fold into one with a space between (YAML line folding).
    const folded = [first, ...this.continuation(indent).map((l) => l.text)].join(' ');
    if (folded.startsWith("'")) {
      if (!folded.endsWith("'") || folded.length < 2) this.fail('unterminated single-quoted scalar');
      return folded.slice(1, -1).replace(/''/g, "'");
    }
    if (folded.startsWith('"')) {
      if (!folded.endsWith('"') || folded.length < 2) this.fail('unterminated double-quoted scalar');
      return JSON.parse(folded.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
    }
    if (folded === 'null' || folded === '~') return null;
    if (folded === 'true' || folded === 'false') return folded === 'true';
    if (/^-?\d+$/.test(folded)) return Number(folded);
    return folded;
  }
}

/** Parses the YAML subset vcrpy writes. */
export function parseVcrYaml(text: string, file = 'yaml'): Node {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, n) => {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    if (/^\t/.test(raw)) throw new Error(`${file}:${n + 1}: tabs are not YAML indentation`);
    const text = raw.trimStart();
    lines.push({ indent: raw.length - text.length, text: text.trimEnd(), n: n + 1 });
  });
  return new YamlSubset(lines, file).document();
}

interface VcrInteraction {
  request: { method: string; uri: string };
  response: { status: { code: number }; headers?: Record<string, string[]>; body?: { string?: string | Buffer } };
}

export function loadVcr(file: string): Recording[] {
  const doc = parseVcrYaml(readFileSync(file, 'utf8'), path.basename(file)) as { interactions?: VcrInteraction[] };
  if (!Array.isArray(doc?.interactions)) throw new Error(`${file}: not a vcrpy cassette (no interactions[])`);
  const name = path.basename(file);
  return doc.interactions.map((i, n) => {
    const headers = flattenHeaders(i.response.headers);
    const raw = i.response.body?.string ?? '';
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const body = (headers['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
    return { method: i.request.method.toUpperCase(), url: new URL(i.request.uri), status: i.response.status.code, headers, body, source: `${name}#${n}` };
  });
}
