// pg-cursor ships no types; this is the part we use.
declare module 'pg-cursor' {
  import type { CustomTypesConfig, Submittable } from 'pg';
  export default class Cursor<R = Record<string, unknown>> implements Submittable {
    constructor(text: string, values?: unknown[], config?: { rowMode?: 'array'; types?: CustomTypesConfig });
    submit: Submittable['submit'];
    read(rows: number): Promise<R[]>;
    read(rows: number, cb: (err: Error | undefined, rows: R[], result?: { fields: { name: string }[] }) => void): void;
    close(): Promise<void>;
  }
}
