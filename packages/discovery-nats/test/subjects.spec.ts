import { Path } from '@escher/core';
import { expect } from 'chai';
import { escapeToken, pathSubject, reachablePatterns, subjectMatches, unescapeToken } from '../src';

describe('subjects', () => {
  describe('escapeToken', () => {
    it('should keep letters, digits, _ and - and escape everything else as ~XX of its UTF-8 bytes', () => {
      expect(escapeToken('kv_1-a')).to.equal('kv_1-a');
      expect(escapeToken('v1.2')).to.equal('v1~2E2');
      expect(escapeToken('a b*>~')).to.equal('a~20b~2A~3E~7E');
      expect(escapeToken('é')).to.equal('~C3~A9');
      expect(escapeToken('')).to.equal('~');
    });

    it('should never produce a character NATS gives a meaning to', () => {
      for (const s of ['.', '*', '>', ' ', '\t', '\n', 'a.b.c', '>.>', '']) {
        const t = escapeToken(s);
        expect(t).to.match(/^[A-Za-z0-9_~-]+$/);
      }
    });

    it('should round-trip through unescapeToken', () => {
      for (const s of ['kv', 'v1.2', 'a b', '~', '~7E', 'é√𝄞', '', '.', 'A-Z_0']) expect(unescapeToken(escapeToken(s))).to.equal(s);
    });
  });

  describe('unescapeToken', () => {
    it('should refuse tokens escapeToken cannot produce', () => {
      for (const t of ['a.b', '~2e', '~4B', '~', '~G0', 'a~', '*', '>', '~FF']) {
        if (t === '~') continue; // the empty string's token
        expect(() => unescapeToken(t), t).to.throw(RangeError);
      }
    });
  });

  describe('pathSubject', () => {
    it('should put the minimum depth before the escaped segments', () => {
      expect(pathSubject('demo', Path.parse('/kv/v1.2'), 2)).to.equal('escher.demo.path.2.kv.v1~2E2');
      expect(pathSubject('my system', Path.parse('/a'), 1)).to.equal('escher.my~20system.path.1.a');
    });
  });

  describe('subjectMatches', () => {
    it('should follow NATS wildcards: * one token, > one or more trailing tokens', () => {
      expect(subjectMatches('a.*', 'a.b')).to.equal(true);
      expect(subjectMatches('a.*', 'a.b.c')).to.equal(false);
      expect(subjectMatches('a.>', 'a.b.c')).to.equal(true);
      expect(subjectMatches('a.>', 'a')).to.equal(false);
      expect(subjectMatches('a.b', 'a.b')).to.equal(true);
      expect(subjectMatches('a.b', 'a.c')).to.equal(false);
    });
  });

  describe('reachablePatterns', () => {
    // Every agent of a small tree with every minimum depth, against every source.
    const names = ['a', 'b'];
    const paths: Path[] = [];
    const grow = (prefix: string, depth: number) => {
      for (const n of names) {
        const p = Path.parse(`${prefix}/${n}`);
        paths.push(p);
        if (depth < 3) grow(p, depth + 1);
      }
    };
    grow('', 1);

    /** Reachable by the definition: some destination the sibling rule allows delivers to it. */
    function reachable(src: Path, agent: Path, minDepth: number): boolean {
      for (const dst of [...Path.ancestors(agent), agent]) {
        if (dst === '' || !Path.maySend(src, dst)) continue;
        if (Path.depth(dst) >= minDepth) return true;
      }
      return false;
    }

    it('should match exactly the agents a physical agent at the source may reach, by the sibling rule and minimum depths', () => {
      let checked = 0;
      for (const src of paths) {
        const patterns = reachablePatterns('s', src);
        expect(patterns).to.have.length(2 * Path.depth(src));
        for (const agent of paths) {
          // src is physical: its ancestors are virtual and it has no descendants, so neither is ever announced.
          if (Path.isAncestorOrSelf(agent, src) || Path.isAncestorOf(src, agent)) continue;
          for (let m = 1; m <= Path.depth(agent); m++) {
            const subject = pathSubject('s', agent, m);
            const matched = patterns.filter((p) => subjectMatches(p, subject)).length;
            expect(matched > 0, `${src} → ${agent} (minDepth ${m})`).to.equal(reachable(src, agent, m));
            // Disjoint patterns: a record never arrives twice.
            expect(matched).to.be.at.most(1);
            checked++;
          }
        }
      }
      expect(checked).to.be.greaterThan(300);
    });
  });
});
