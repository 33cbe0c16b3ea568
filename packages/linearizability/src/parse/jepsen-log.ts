import { UnknownFunctionError, UnparsableLineError } from '../errors';
import { History } from '../history';
import { EdnSyntaxError, Keyword, readEdn, type EdnValue } from './edn';
import { splitLines, type ParseResult } from './result';

const EVENT_LINE = /\bjepsen\.util\s+-\s+(.*)$/;
const FIELDS = /^(\S+)\s+:(\S+)\s+:(\S+)(?:\s+(.*?))?\s*$/;

function isRegisterValue(v: EdnValue): v is number | null {
  return v === null || typeof v === 'number';
}

function isTimedOut(v: EdnValue): boolean {
  return v instanceof Keyword && v.name === 'timed-out';
}

/**
 * Parse a Jepsen log of a single register (`read`, `write n`, `cas [from to]`),
 * as written by `jepsen.util`: `INFO  jepsen.util - 3	:invoke	:write	4`
 * (columns separated by tabs or spaces). Lines without `jepsen.util -` are
 * noise: skipped and counted.
 *
 * Outcomes, following Jepsen's register tests:
 * - `:ok` completes the call; a read's value is its output, a cas returns `true`;
 * - `:fail` on a cas is a completed cas whose compare did not match: it is
 *   recorded as `ok` with output `false`, which the checker must explain;
 * - `:fail … :timed-out` (a read that timed out) and `:info` have an unknown
 *   outcome: recorded as `info`;
 * - any other `:fail` took no effect: recorded as `fail`.
 *
 * Event lines that cannot be read throw `UnparsableLineError`, an unknown
 * function throws `UnknownFunctionError`, and an impossible sequence throws
 * the history's own errors, all with the line number.
 */
export function parseJepsenLog(text: string): ParseResult {
  const history = new History();
  const lines = splitLines(text);
  let skipped = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const event = EVENT_LINE.exec(raw);
    if (!event) {
      skipped++;
      return;
    }
    const fields = FIELDS.exec(event[1]);
    if (!fields) throw new UnparsableLineError(raw, 'expected process, :type, :f and a value', { line });
    const [, processText, type, f, valueText] = fields;
    if (!/^\d+$/.test(processText)) throw new UnparsableLineError(raw, 'process is not a number', { line });
    const process = Number(processText);
    if (f !== 'read' && f !== 'write' && f !== 'cas') throw new UnknownFunctionError(f, 'the Jepsen register log', { line });
    let value: EdnValue;
    try {
      value = valueText === undefined ? null : readEdn(valueText);
    } catch (e) {
      if (e instanceof EdnSyntaxError) throw new UnparsableLineError(raw, e.message, { line, cause: e });
      throw e;
    }
    switch (type) {
      case 'invoke':
        if (f === 'read') history.invoke(process, f, null, undefined, { line });
        else if (f === 'write' && isRegisterValue(value)) history.invoke(process, f, value, undefined, { line });
        else if (f === 'cas' && Array.isArray(value) && value.length === 2 && value.every(isRegisterValue)) {
          history.invoke(process, f, [value[0], value[1]], undefined, { line });
        } else throw new UnparsableLineError(raw, `bad argument for :${f}`, { line });
        return;
      case 'ok':
        if (f === 'read' && !isRegisterValue(value)) throw new UnparsableLineError(raw, 'a read returns a number or nil', { line });
        history.ok(process, f === 'read' ? value : f === 'cas' ? true : null, undefined, { line });
        return;
      case 'fail':
        if (isTimedOut(value)) history.info(process, undefined, { line });
        else if (f === 'cas') history.ok(process, false, undefined, { line });
        else history.fail(process, undefined, { line });
        return;
      case 'info':
        history.info(process, undefined, { line });
        return;
      default:
        throw new UnparsableLineError(raw, `unknown type :${type}`, { line });
    }
  });
  return { history, lines: lines.length, skipped };
}
