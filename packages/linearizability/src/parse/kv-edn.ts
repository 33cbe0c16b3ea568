import { UnknownFunctionError, UnparsableLineError } from '../errors';
import { History } from '../history';
import { EdnSyntaxError, Keyword, readEdn, type EdnMap, type EdnValue } from './edn';
import { splitLines, type ParseResult } from './result';

function keywordField(m: EdnMap, field: string): string | undefined {
  const v = m[field];
  return v instanceof Keyword ? v.name : undefined;
}

/**
 * Parse a key-value history with one EDN map per line, as in
 * `{:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}`.
 *
 * `:f` is `:get`, `:put` or `:append`; `:type` is `:invoke`, `:ok`, `:fail`
 * or `:info`. Invocations record `{ key, value }` as the input (no value for
 * a get); a get's `:ok` records the value read as the output. Blank lines are
 * skipped and counted. Any other line that is not such a map throws
 * `UnparsableLineError`; an unknown `:f` throws `UnknownFunctionError`; an
 * impossible sequence throws the history's own errors, all with the line number.
 */
export function parseKvHistory(text: string): ParseResult {
  const history = new History();
  const lines = splitLines(text);
  let skipped = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const body = raw.trim();
    if (body === '') {
      skipped++;
      return;
    }
    let value: EdnValue;
    try {
      value = readEdn(body);
    } catch (e) {
      if (e instanceof EdnSyntaxError) throw new UnparsableLineError(raw, e.message, { line, cause: e });
      throw e;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Keyword) {
      throw new UnparsableLineError(raw, 'not a map', { line });
    }
    const m = value as EdnMap;
    const process = m.process;
    if (typeof process !== 'number' && typeof process !== 'string') throw new UnparsableLineError(raw, 'missing :process', { line });
    const type = keywordField(m, 'type');
    const f = keywordField(m, 'f');
    if (f === undefined) throw new UnparsableLineError(raw, 'missing :f keyword', { line });
    if (f !== 'get' && f !== 'put' && f !== 'append') throw new UnknownFunctionError(f, 'the kv history format', { line });
    const key = m.key;
    if (typeof key !== 'string') throw new UnparsableLineError(raw, ':key is not a string', { line });
    const v = m.value;
    switch (type) {
      case 'invoke':
        if (f === 'get') history.invoke(process, f, { key }, undefined, { line });
        else if (typeof v === 'string') history.invoke(process, f, { key, value: v }, undefined, { line });
        else throw new UnparsableLineError(raw, `:${f} needs a string :value`, { line });
        return;
      case 'ok':
        if (f !== 'get') history.ok(process, null, undefined, { line });
        else if (typeof v === 'string') history.ok(process, v, undefined, { line });
        else throw new UnparsableLineError(raw, 'a completed :get needs the string it read as :value', { line });
        return;
      case 'fail':
        history.fail(process, undefined, { line });
        return;
      case 'info':
        history.info(process, undefined, { line });
        return;
      default:
        throw new UnparsableLineError(raw, ':type is not :invoke, :ok, :fail or :info', { line });
    }
  });
  return { history, lines: lines.length, skipped };
}
