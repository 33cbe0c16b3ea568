import { expect } from 'chai';
import {
  check,
  History,
  InvalidInputError,
  InvalidTimeError,
  LinearizabilityError,
  ProcessBusyError,
  register,
  ReturnWithoutInvokeError,
  UNKNOWN,
  UnknownFunctionError,
} from '../src';

describe('History', () => {
  describe('invoke / ok / fail / info', () => {
    it('should stamp events with their positions in the recorded order', () => {
      const h = new History();
      h.invoke(0, 'write', 1);
      h.invoke(1, 'read', null);
      h.ok(1, null);
      h.ok(0);
      expect(h.events.map((e) => e.time)).to.deep.equal([0, 1, 2, 3]);
      expect(h.operations().map((o) => [o.id, o.call, o.ret])).to.deep.equal([
        [0, 0, 3],
        [1, 1, 2],
      ]);
    });

    it('should keep explicit times', () => {
      const h = new History();
      h.invoke('a', 'write', 1, 10);
      h.ok('a', undefined, 25);
      expect(h.operations()[0]).to.include({ call: 10, ret: 25, outcome: 'ok' });
    });

    it('should give an info operation an unknown output and a return at infinity, and free its process', () => {
      const h = new History();
      h.invoke(0, 'write', 1);
      h.info(0);
      h.invoke(0, 'read', null);
      h.ok(0, 1);
      const [timedOut, read] = h.operations();
      expect(timedOut).to.include({ outcome: 'info', output: UNKNOWN, ret: Infinity });
      expect(read).to.include({ outcome: 'ok', output: 1 });
    });

    it('should report invocations still in flight as info', () => {
      const h = new History();
      h.invoke(0, 'write', 1);
      expect(h.busy).to.deep.equal([0]);
      expect(h.operations()[0]).to.include({ outcome: 'info', ret: Infinity });
    });

    it('should replay its own events into an equal history', () => {
      const h = new History();
      h.invoke(0, 'write', 1);
      h.invoke(1, 'cas', [1, 2]);
      h.fail(1);
      h.ok(0);
      expect(History.fromEvents(h.events).operations()).to.deep.equal(h.operations());
    });
  });

  describe('malformed histories', () => {
    it('should reject a return without an invocation', () => {
      const h = new History();
      for (const end of [() => h.ok(3, 1), () => h.fail(3), () => h.info(3)]) {
        expect(end).to.throw(ReturnWithoutInvokeError).that.includes({ code: 'LIN_RETURN_WITHOUT_INVOKE', name: 'ReturnWithoutInvokeError', process: 3 });
      }
    });

    it('should reject a second invocation by a busy process', () => {
      const h = new History();
      h.invoke(1, 'read', null);
      expect(() => h.invoke(1, 'write', 2)).to.throw(ProcessBusyError).that.includes({ code: 'LIN_PROCESS_BUSY', pendingOperation: 0 });
    });

    it('should reject a return stamped before its invocation, and times that are not finite', () => {
      const h = new History();
      h.invoke(1, 'read', null, 5);
      expect(() => h.ok(1, null, 4)).to.throw(InvalidTimeError).with.property('code', 'LIN_INVALID_TIME');
      expect(() => h.invoke(2, 'read', null, Number.NaN)).to.throw(InvalidTimeError);
    });

    it('should let check reject an unknown function or a malformed argument', () => {
      const h = new History();
      h.invoke(1, 'increment', 1);
      h.ok(1);
      expect(() => check(register, h)).to.throw(UnknownFunctionError).that.includes({ f: 'increment', code: 'LIN_UNKNOWN_FUNCTION' });
      const g = new History();
      g.invoke(1, 'cas', 'x');
      g.ok(1, true);
      expect(() => check(register, g)).to.throw(InvalidInputError);
    });

    it('should make every error a LinearizabilityError with a stable code', () => {
      const e = new ProcessBusyError(1, 0);
      expect(e).to.be.instanceOf(LinearizabilityError).and.instanceOf(Error);
      expect(e.name).to.equal('ProcessBusyError');
      expect(e.code).to.equal('LIN_PROCESS_BUSY');
    });
  });
});
