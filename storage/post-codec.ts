// Posts' MinHash signatures as BSON Binary: 128 int32 values in 512 bytes instead of an
// array, which FerretDB stores as JSON with a type schema per element (63 % of a post's
// stored JSON, issue 13) and the driver decodes into a 128-element JS array (≈1.2 KB of
// heap). Written little-endian; read back as an Int32Array. Arrays stored before stay
// readable as they are.
import { Binary } from 'mongodb';

type Doc = Record<string, unknown>;

function encodeSignature(v: unknown): unknown {
  if (!Array.isArray(v) && !(v instanceof Int32Array)) return v;
  const ints = Int32Array.from(v as ArrayLike<number>);
  const bytes = new Uint8Array(ints.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < ints.length; i++) view.setInt32(i * 4, ints[i], true);
  return new Binary(bytes);
}

function decodeSignature(v: unknown): unknown {
  if (!(v instanceof Binary)) return v;
  const bytes = v.buffer;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

/** A copy of a post (or a `$set` of one) with its signature as Binary. */
export function encodePost<T>(doc: T): T {
  const d = doc as Doc;
  const e = d.enrichment as Doc | undefined;
  let out = d;
  if (e && typeof e === 'object' && 'minhash' in e) out = { ...out, enrichment: { ...e, minhash: encodeSignature(e.minhash) } };
  if ('enrichment.minhash' in d) out = { ...out, 'enrichment.minhash': encodeSignature(d['enrichment.minhash']) };
  return out as T;
}

/** The post as read, its signature as an Int32Array (in place: the document is fresh from the driver). */
export function decodePost<T>(doc: T): T {
  const e = (doc as Doc | null)?.enrichment as Doc | undefined;
  if (e && typeof e === 'object' && e.minhash instanceof Binary) e.minhash = decodeSignature(e.minhash);
  return doc;
}
