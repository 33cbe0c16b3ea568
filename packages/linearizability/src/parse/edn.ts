/**
 * A reader for the small subset of EDN that history files use: `nil`,
 * booleans, integers and decimals, strings, keywords, vectors, and maps
 * whose keys are keywords. Commas are whitespace, as in EDN.
 */

/** An EDN keyword such as `:invoke`. */
export class Keyword {
  constructor(readonly name: string) {}
  toString(): string {
    return `:${this.name}`;
  }
}

/** A value read from EDN text. Maps are keyed by keyword name. */
export type EdnValue = null | boolean | number | string | Keyword | EdnValue[] | EdnMap;

/** An EDN map with keyword keys, keyed by the keyword's name. */
export interface EdnMap {
  readonly [keyword: string]: EdnValue;
}

/** Thrown by {@link readEdn}; parsers turn it into an `UnparsableLineError`. */
export class EdnSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'EdnSyntaxError';
  }
}

const DELIMITER = /[\s,\]}[{"]/;
const NUMBER = /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/;

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /[\s,]/.test(this.text[this.pos])) this.pos++;
  }

  value(): EdnValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) throw new EdnSyntaxError('unexpected end of input', this.pos);
    if (c === '"') return this.string();
    if (c === '[') return this.vector();
    if (c === '{') return this.map();
    if (c === ':') return new Keyword(this.token(1));
    const t = this.token(0);
    if (t === 'nil') return null;
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (NUMBER.test(t)) return Number(t);
    throw new EdnSyntaxError(`unexpected ${JSON.stringify(t || c)}`, this.pos - t.length);
  }

  private token(skip: number): string {
    const start = this.pos + skip;
    let end = start;
    while (end < this.text.length && !DELIMITER.test(this.text[end])) end++;
    if (end === start) throw new EdnSyntaxError('empty token', start);
    this.pos = end;
    return this.text.slice(start, end);
  }

  private string(): string {
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined) throw new EdnSyntaxError('unterminated string', this.pos);
      if (c === '"') break;
      if (c === '\\') {
        const e = this.text[i + 1];
        const escaped = e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '"' || e === '\\' ? e : undefined;
        if (escaped === undefined) throw new EdnSyntaxError(`unsupported escape \\${e ?? ''}`, i);
        out += escaped;
        i += 2;
      } else {
        out += c;
        i++;
      }
    }
    this.pos = i + 1;
    return out;
  }

  private vector(): EdnValue[] {
    this.pos++;
    const out: EdnValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']') break;
      out.push(this.value());
    }
    this.pos++;
    return out;
  }

  private map(): EdnMap {
    this.pos++;
    const out: Record<string, EdnValue> = Object.create(null) as Record<string, EdnValue>;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') break;
      const at = this.pos;
      const k = this.value();
      if (!(k instanceof Keyword)) throw new EdnSyntaxError('map key is not a keyword', at);
      if (k.name in out) throw new EdnSyntaxError(`duplicate key :${k.name}`, at);
      out[k.name] = this.value();
    }
    this.pos++;
    return out;
  }
}

/** Read exactly one EDN value from `text`; throws {@link EdnSyntaxError}. */
export function readEdn(text: string): EdnValue {
  const r = new Reader(text);
  const v = r.value();
  r.skipSpace();
  if (r.pos !== text.length) throw new EdnSyntaxError('trailing text', r.pos);
  return v;
}
