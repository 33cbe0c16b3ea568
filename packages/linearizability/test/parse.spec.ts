import { expect } from 'chai';
import {
  check,
  kv,
  parseJepsenLog,
  parseKvHistory,
  ProcessBusyError,
  register,
  ReturnWithoutInvokeError,
  UNKNOWN,
  UnknownFunctionError,
  UnparsableLineError,
} from '../src';

describe('parseKvHistory', () => {
  describe('events', () => {
    it('should read invocations and returns with keys and values', () => {
      const text = [
        '{:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}',
        '{:process 1, :type :invoke, :f :get, :key "4", :value nil}',
        '{:process 0, :type :ok, :f :append, :key "4", :value "x 0 1 y"}',
        '',
        '{:process 1, :type :ok, :f :get, :key "4", :value "x 0 1 y"}',
        '{:process 2, :type :invoke, :f :put, :key "5", :value "say \\"hi\\""}',
        '{:process 2, :type :info, :f :put, :key "5", :value "say \\"hi\\""}',
      ].join('\n');
      const { history, lines, skipped } = parseKvHistory(`${text}\n`);
      expect(lines).to.equal(7);
      expect(skipped).to.equal(1);
      const ops = history.operations();
      expect(ops.map((o) => [o.process, o.f, o.input, o.outcome, o.output])).to.deep.equal([
        [0, 'append', { key: '4', value: 'x 0 1 y' }, 'ok', null],
        [1, 'get', { key: '4' }, 'ok', 'x 0 1 y'],
        [2, 'put', { key: '5', value: 'say "hi"' }, 'info', UNKNOWN],
      ]);
      expect(check(kv, history).linearizable).to.equal(true);
    });
  });

  describe('malformed input', () => {
    it('should reject a line that is not an EDN map, with its line number', () => {
      expect(() => parseKvHistory('{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0, :type')).to.throw(UnparsableLineError).that.includes({
        line: 2,
        code: 'LIN_UNPARSABLE_LINE',
      });
      expect(() => parseKvHistory('hello')).to.throw(UnparsableLineError);
      expect(() => parseKvHistory('[1 2]')).to.throw(UnparsableLineError);
      expect(() => parseKvHistory('{:process 0, :type :done, :f :get, :key "1", :value nil}')).to.throw(UnparsableLineError);
    });

    it('should reject an unknown function', () => {
      expect(() => parseKvHistory('{:process 0, :type :invoke, :f :delete, :key "1", :value nil}')).to.throw(UnknownFunctionError).that.includes({ line: 1 });
    });

    it('should reject impossible sequences with the history errors, with their line numbers', () => {
      expect(() => parseKvHistory('{:process 0, :type :ok, :f :get, :key "1", :value ""}')).to.throw(ReturnWithoutInvokeError).that.includes({ line: 1 });
      const twice = '{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0, :type :invoke, :f :get, :key "1", :value nil}';
      expect(() => parseKvHistory(twice)).to.throw(ProcessBusyError).that.includes({ line: 2 });
    });
  });
});

describe('parseJepsenLog', () => {
  const log = (rows: string[]): string => ['2017-01-01 noise that is not an event', ...rows.map((r) => `INFO  jepsen.util - ${r}`), ''].join('\n');

  describe('events', () => {
    it('should read reads, writes and cas, with tabs or spaces between columns', () => {
      const { history, lines, skipped } = parseJepsenLog(
        log(['0\t:invoke\t:write\t3', '1 :invoke :read nil', '0\t:ok\t:write\t3', '1   :ok   :read   3', '2\t:invoke\t:cas\t[3 4]', '2\t:ok\t:cas\t[3 4]']),
      );
      expect(lines).to.equal(7);
      expect(skipped).to.equal(1);
      expect(history.operations().map((o) => [o.f, o.input, o.output])).to.deep.equal([
        ['write', 3, null],
        ['read', null, 3],
        ['cas', [3, 4], true],
      ]);
      expect(check(register, history).linearizable).to.equal(true);
    });

    it('should read a failed cas as a completed cas that returned false', () => {
      const { history } = parseJepsenLog(log(['0\t:invoke\t:cas\t[1 2]', '0\t:fail\t:cas\t[1 2]']));
      expect(history.operations()[0]).to.include({ outcome: 'ok', output: false });
      expect(check(register, history).linearizable).to.equal(true);
    });

    it('should read a timed-out read and an info as unknown outcomes, and let the process go on', () => {
      const { history } = parseJepsenLog(
        log(['0\t:invoke\t:read\tnil', '0\t:fail\t:read\t:timed-out', '0\t:invoke\t:write\t1', '0\t:info\t:write\t:timed-out', '0\t:invoke\t:read\tnil', '0\t:ok\t:read\t1']),
      );
      expect(history.operations().map((o) => o.outcome)).to.deep.equal(['info', 'info', 'ok']);
      expect(check(register, history).linearizable).to.equal(true);
    });
  });

  describe('malformed input', () => {
    it('should reject event lines it cannot read, with their line numbers', () => {
      expect(() => parseJepsenLog(log(['0\t:invoke']))).to.throw(UnparsableLineError).that.includes({ line: 2 });
      expect(() => parseJepsenLog(log(['x\t:invoke\t:read\tnil']))).to.throw(UnparsableLineError);
      expect(() => parseJepsenLog(log(['0\t:invoke\t:cas\t[1 2']))).to.throw(UnparsableLineError);
      expect(() => parseJepsenLog(log(['0\t:invoke\t:cas\t7']))).to.throw(UnparsableLineError);
      expect(() => parseJepsenLog(log(['0\t:begin\t:read\tnil']))).to.throw(UnparsableLineError);
    });

    it('should reject an unknown function and a return without an invocation', () => {
      expect(() => parseJepsenLog(log(['0\t:invoke\t:delete\tnil']))).to.throw(UnknownFunctionError).that.includes({ line: 2 });
      expect(() => parseJepsenLog(log(['0\t:ok\t:read\t3']))).to.throw(ReturnWithoutInvokeError).that.includes({ line: 2 });
    });

    it('should skip and count lines that are not events', () => {
      const { skipped, history } = parseJepsenLog('just noise\nmore noise\n\n');
      expect(skipped).to.equal(3);
      expect(history.size).to.equal(0);
    });
  });
});
