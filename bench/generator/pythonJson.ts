import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * JSON as Python's `json.dumps` writes it with default separators (`", "` and `": "`), which is how dbt writes
 * manifest.json and run_results.json. Numbers and ASCII strings come out the same as in JSON.stringify.
 */
export function pythonJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) {
        if (v.length === 0) return '[]';
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ', ') + pythonJson(v[i]);
        return out + ']';
      }
      let out = '{';
      let first = true;
      for (const k in v as Record<string, unknown>) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined) continue;
        out += (first ? '' : ', ') + JSON.stringify(k) + ': ' + pythonJson(x);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new Error(`cannot serialize ${typeof v}`);
  }
}

/**
 * Streams one large JSON object to a file, member by member, so a 100+ MB manifest never sits in memory as one
 * string. Open a map with `openMap(key)`, add `entry(id, value)`s, `closeMap()`; top-level scalars with `field`.
 */
export class PythonJsonWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private buffered = 0;
  private firstTop = true;
  private firstInMap = true;
  private inMap = false;
  bytes = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
    this.write('{');
  }

  field(key: string, value: unknown): void {
    if (this.inMap) throw new Error('field() inside a map');
    this.write((this.firstTop ? '' : ', ') + JSON.stringify(key) + ': ' + pythonJson(value));
    this.firstTop = false;
  }

  openMap(key: string): void {
    if (this.inMap) throw new Error('maps do not nest');
    this.write((this.firstTop ? '' : ', ') + JSON.stringify(key) + ': {');
    this.firstTop = false;
    this.firstInMap = true;
    this.inMap = true;
  }

  entry(id: string, value: unknown): void {
    this.write((this.firstInMap ? '' : ', ') + JSON.stringify(id) + ': ' + pythonJson(value));
    this.firstInMap = false;
  }

  closeMap(): void {
    this.write('}');
    this.inMap = false;
  }

  close(): void {
    this.write('}');
    this.flush();
    closeSync(this.fd);
  }

  private write(s: string): void {
    this.buffer.push(s);
    this.buffered += s.length;
    if (this.buffered > 4 * 1024 * 1024) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = Buffer.from(this.buffer.join(''), 'utf8');
    writeSync(this.fd, chunk);
    this.bytes += chunk.length;
    this.buffer = [];
    this.buffered = 0;
  }
}
