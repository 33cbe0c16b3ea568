import { expect } from 'chai';
import {
  InvalidInputError,
  kv,
  kvEntries,
  kvGet,
  register,
  UNKNOWN,
  UnknownFunctionError,
  type KvInput,
  type KvOutput,
  type KvState,
  type ModelOperation,
} from '../src';

describe('register', () => {
  describe('init', () => {
    it('should start as null', () => {
      expect(register.init).to.equal(null);
    });
  });

  describe('step', () => {
    it('should accept a read of the current value only', () => {
      expect(register.step(3, register.input('read', null), 3)).to.deep.equal({ ok: true, state: 3 });
      expect(register.step(3, register.input('read', null), 4).ok).to.equal(false);
      expect(register.step(null, register.input('read', null), null).ok).to.equal(true);
    });

    it('should set the value on a write', () => {
      expect(register.step(null, register.input('write', 7), undefined)).to.deep.equal({ ok: true, state: 7 });
    });

    it('should swap on a matching cas that returned true', () => {
      expect(register.step(1, register.input('cas', [1, 2]), true)).to.deep.equal({ ok: true, state: 2 });
      expect(register.step(1, register.input('cas', { from: 1, to: 2 }), false).ok).to.equal(false);
    });

    it('should leave the value alone on a cas whose compare failed and that returned false', () => {
      expect(register.step(5, register.input('cas', [1, 2]), false)).to.deep.equal({ ok: true, state: 5 });
      expect(register.step(5, register.input('cas', [1, 2]), true).ok).to.equal(false);
    });

    it('should accept any output when the outcome is unknown', () => {
      expect(register.step(5, register.input('read', null), UNKNOWN)).to.deep.equal({ ok: true, state: 5 });
      expect(register.step(1, register.input('cas', [1, 2]), UNKNOWN)).to.deep.equal({ ok: true, state: 2 });
      expect(register.step(3, register.input('cas', [1, 2]), UNKNOWN)).to.deep.equal({ ok: true, state: 3 });
    });
  });

  describe('input', () => {
    it('should reject unknown functions and malformed arguments with typed errors', () => {
      expect(() => register.input('delete', null)).to.throw(UnknownFunctionError).with.property('code', 'LIN_UNKNOWN_FUNCTION');
      expect(() => register.input('cas', [1])).to.throw(InvalidInputError).with.property('code', 'LIN_INVALID_INPUT');
      expect(() => register.input('write', {})).to.throw(InvalidInputError);
    });
  });

  describe('key', () => {
    it('should tell null, numbers and strings apart', () => {
      const keys = [null, 0, '0', 'null', 1].map((v) => register.key(v));
      expect(new Set(keys).size).to.equal(keys.length);
    });
  });

  describe('partition', () => {
    it('should keep every operation in one partition', () => {
      const ops = [0, 1, 2].map((id) => ({ id, process: id, input: register.input('read', null), output: null, call: id, ret: id + 1 }));
      const parts = register.partition(ops);
      expect(parts).to.have.length(1);
      expect(parts[0].operations).to.have.length(3);
    });
  });
});

describe('kv', () => {
  const get = (key: string): KvInput => kv.input('get', { key });
  const put = (key: string, value: string): KvInput => kv.input('put', { key, value });
  const append = (key: string, value: string): KvInput => kv.input('append', { key, value });

  describe('step', () => {
    it('should read a missing key as the empty string', () => {
      expect(kv.step(kv.init, get('a'), '').ok).to.equal(true);
      expect(kv.step(kv.init, get('a'), 'x').ok).to.equal(false);
    });

    it('should set on put and concatenate on append, key by key', () => {
      let s: KvState = kv.init;
      s = kv.step(s, put('a', 'x'), null).state;
      s = kv.step(s, append('a', 'y'), null).state;
      s = kv.step(s, append('b', 'z'), null).state;
      expect(kv.step(s, get('a'), 'xy').ok).to.equal(true);
      expect(kv.step(s, get('b'), 'z').ok).to.equal(true);
      expect(kv.step(s, get('c'), '').ok).to.equal(true);
    });

    it('should not change the state it is given', () => {
      const s = kv.step(kv.init, put('a', 'x'), null).state;
      kv.step(s, append('a', 'y'), null);
      expect(kvGet(s, 'a')).to.equal('x');
    });

    it('should keep keys and values that look like its own encoding apart', () => {
      let s: KvState = kv.init;
      s = kv.step(s, put('1:a', '2:b'), null).state;
      s = kv.step(s, append('b', ':1:'), null).state;
      s = kv.step(s, append('1:a', '0:'), null).state;
      s = kv.step(s, put('', 'empty key'), null).state;
      expect(kvEntries(s)).to.deep.equal(
        new Map([
          ['', 'empty key'],
          ['1:a', '2:b0:'],
          ['b', ':1:'],
        ]),
      );
      expect(kv.step(s, get('1:a'), '2:b0:').ok).to.equal(true);
      expect(kv.step(s, get('1'), '').ok).to.equal(true);
    });

    it('should accept any output when the outcome is unknown', () => {
      expect(kv.step(kv.init, get('a'), UNKNOWN).ok).to.equal(true);
    });
  });

  describe('key', () => {
    it('should be equal for equal contents, whatever the order of writes', () => {
      const ab = kv.step(kv.step(kv.init, put('a', '1'), null).state, put('b', '2'), null).state;
      const ba = kv.step(kv.step(kv.init, put('b', '2'), null).state, put('a', '1'), null).state;
      expect(kv.key(ab)).to.equal(kv.key(ba));
      expect(kv.key(kv.step(kv.init, put('a', ''), null).state)).to.equal(kv.key(kv.init));
    });

    it('should differ when keys and values are split differently', () => {
      const one = kv.step(kv.init, put('ab', 'c'), null).state;
      const two = kv.step(kv.init, put('a', 'bc'), null).state;
      expect(kv.key(one)).to.not.equal(kv.key(two));
    });
  });

  describe('partition', () => {
    it('should split operations by key', () => {
      const ops: ModelOperation<KvInput, KvOutput>[] = [get('a'), put('b', 'x'), append('a', 'y')].map((input, id) => ({
        id,
        process: id,
        input,
        output: null,
        call: id,
        ret: id + 1,
      }));
      const parts = kv.partition(ops);
      expect(parts.map((p) => [p.label, p.operations.map((o) => o.id)])).to.deep.equal([
        ['key "a"', [0, 2]],
        ['key "b"', [1]],
      ]);
    });
  });

  describe('input', () => {
    it('should reject unknown functions and malformed arguments with typed errors', () => {
      expect(() => kv.input('delete', { key: 'a' })).to.throw(UnknownFunctionError);
      expect(() => kv.input('put', { key: 'a' })).to.throw(InvalidInputError);
      expect(() => kv.input('get', 'a')).to.throw(InvalidInputError);
    });
  });
});
