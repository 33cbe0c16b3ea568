import { expect } from 'chai';
import { InvalidPathError, Path } from '../src';

describe('Path', () => {
  describe('parse', () => {
    it('should accept the system agent and nested paths', () => {
      expect(Path.parse('')).to.equal('');
      expect(Path.parse('/x')).to.equal('/x');
      expect(Path.parse('/x/y-1/z.2')).to.equal('/x/y-1/z.2');
    });

    for (const bad of ['x', '/', '//x', '/x/', '/x//y', '/x y', '/../x', '/.', 42, null, undefined, '/x/' + 'a'.repeat(65)]) {
      it(`should refuse ${JSON.stringify(bad)} with InvalidPathError`, () => {
        expect(() => Path.parse(bad)).to.throw(InvalidPathError);
        expect(Path.isValid(bad)).to.equal(false);
      });
    }

    it('should refuse a path longer than the limit', () => {
      const long = '/' + Array.from({ length: 200 }, () => 'abcdef').join('/');
      expect(() => Path.parse(long)).to.throw(InvalidPathError, /longer/);
    });
  });

  describe('structure', () => {
    const p = Path.parse('/x/y/z');
    it('should give depth, parent, name and ancestors', () => {
      expect(Path.depth(Path.root)).to.equal(0);
      expect(Path.depth(p)).to.equal(3);
      expect(Path.parent(p)).to.equal('/x/y');
      expect(Path.parent(Path.parse('/x'))).to.equal('');
      expect(Path.parent(Path.root)).to.equal(undefined);
      expect(Path.name(p)).to.equal('z');
      expect(Path.ancestors(p)).to.deep.equal(['/x/y', '/x', '']);
    });

    it('should tell ancestors apart from name prefixes', () => {
      expect(Path.isAncestorOrSelf(Path.parse('/x'), Path.parse('/x/y'))).to.equal(true);
      expect(Path.isAncestorOrSelf(Path.parse('/x'), Path.parse('/xy'))).to.equal(false);
      expect(Path.isAncestorOrSelf(Path.root, Path.parse('/xy'))).to.equal(true);
      expect(Path.isAncestorOf(p, p)).to.equal(false);
      expect(Path.isAncestorOrSelf(p, p)).to.equal(true);
    });

    it('should compute the common prefix length by components', () => {
      const c = (a: string, b: string) => Path.commonPrefixLength(Path.parse(a), Path.parse(b));
      expect(c('/a/1/1', '/d')).to.equal(0);
      expect(c('/a/1/1', '/a/2')).to.equal(1);
      expect(c('/a/1/1', '/a/1/2')).to.equal(2);
      expect(c('/ab/1', '/a/1')).to.equal(0);
      expect(c('/a/b', '/a/b')).to.equal(2);
      expect(c('', '/a')).to.equal(0);
    });
  });

  describe('maySend (sibling rule, Escher §2.2)', () => {
    const may = (s: string, d: string) => Path.maySend(Path.parse(s), Path.parse(d));
    it('should allow siblings and siblings of ancestors', () => {
      expect(may('/x/y/z', '/x/y/w')).to.equal(true);
      expect(may('/x/y/z', '/x/v')).to.equal(true);
      expect(may('/x/y/z', '/u')).to.equal(true);
    });
    it('should refuse children of siblings, cousins, ancestors, self and the system agent', () => {
      expect(may('/x/y/z', '/x/y/w/v')).to.equal(false);
      expect(may('/x/y/z', '/x/v/w')).to.equal(false);
      expect(may('/x/y/z', '/u/v')).to.equal(false);
      expect(may('/x/y/z', '/x/y')).to.equal(false);
      expect(may('/x/y/z', '/x')).to.equal(false);
      expect(may('/x/y/z', '/x/y/z')).to.equal(false);
      expect(may('/x', '')).to.equal(false);
      expect(may('', '/x')).to.equal(false);
    });
  });
});
