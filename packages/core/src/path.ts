import { InvalidPathError } from './errors';

/**
 * An agent's name in the refinement hierarchy (Escher §2.2): `""` is the
 * system agent, `/x` a child of it, `/x/y` a child of `/x`. A `Path` value has
 * always been validated; build one with {@link Path.parse}.
 */
export type Path = string & { readonly __brand: 'EscherPath' };

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$/;
/** Longest accepted path, in characters (keeps maps and frames bounded). */
export const MAX_PATH_LENGTH = 1024;

/**
 * Strings recently found valid. Messages from other runtimes (and copies a
 * role rebuilds) carry the same few paths again and again; validating each
 * by regex would cost more than the rest of delivery. Bounded: cleared when full.
 */
const recentlyValid = new Set<string>();
const RECENTLY_VALID_MAX = 4096;

function parse(input: unknown): Path {
  if (typeof input !== 'string') throw new InvalidPathError(input, 'not a string');
  if (recentlyValid.has(input)) return input as Path;
  validate(input);
  if (recentlyValid.size >= RECENTLY_VALID_MAX) recentlyValid.clear();
  recentlyValid.add(input);
  return input as Path;
}

function validate(input: string): void {
  if (input === '') return;
  if (input.length > MAX_PATH_LENGTH) throw new InvalidPathError(input, `longer than ${MAX_PATH_LENGTH} characters`);
  if (input[0] !== '/') throw new InvalidPathError(input, 'must start with "/" (or be "" for the system agent)');
  const segments = input.slice(1).split('/');
  for (const s of segments) {
    if (s === '') throw new InvalidPathError(input, 'empty segment');
    if (!SEGMENT.test(s)) throw new InvalidPathError(input, `segment ${JSON.stringify(s)} must match ${SEGMENT.source}`);
  }
}

function isValid(input: unknown): input is Path {
  try {
    parse(input);
    return true;
  } catch {
    return false;
  }
}

/** Number of components: depth("") = 0, depth("/x/y") = 2. */
function depth(p: Path): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) === 47) d++;
  return d;
}

/** The parent, or `undefined` for the system agent. */
function parent(p: Path): Path | undefined {
  if (p === '') return undefined;
  return p.slice(0, p.lastIndexOf('/')) as Path;
}

/** Last component (`"z"` for `/x/y/z`), `""` for the system agent. */
function name(p: Path): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** `a` is `b` or one of its ancestors. */
function isAncestorOrSelf(a: Path, b: Path): boolean {
  if (a.length > b.length) return false;
  if (a.length === b.length) return a === b;
  return b.charCodeAt(a.length) === 47 && b.startsWith(a);
}

/** `a` is a strict ancestor of `b`. */
function isAncestorOf(a: Path, b: Path): boolean {
  return a.length < b.length && isAncestorOrSelf(a, b);
}

/** Strict ancestors, nearest first, ending with the system agent `""`. */
function ancestors(p: Path): Path[] {
  const out: Path[] = [];
  for (let q = parent(p); q !== undefined; q = parent(q)) out.push(q);
  return out;
}

/** Number of leading components `a` and `b` share. */
function commonPrefixLength(a: Path, b: Path): number {
  let n = 0;
  let i = 0;
  // Walk both strings component by component.
  while (i < a.length && i < b.length) {
    const ea = a.indexOf('/', i + 1);
    const eb = b.indexOf('/', i + 1);
    const endA = ea === -1 ? a.length : ea;
    const endB = eb === -1 ? b.length : eb;
    if (endA !== endB || a.slice(i, endA) !== b.slice(i, endB)) break;
    n++;
    i = endA;
  }
  return n;
}

/**
 * The sibling rule (Escher §2.2): a correct agent sends only to its siblings
 * or to siblings of its ancestors. Formally, `dst` is allowed for `src` iff
 * `parent(dst)` is an ancestor-or-self of `parent(src)` and `dst` is not an
 * ancestor-or-self of `src`.
 */
function maySend(src: Path, dst: Path): boolean {
  const ps = parent(src);
  const pd = parent(dst);
  if (ps === undefined || pd === undefined) return false;
  return isAncestorOrSelf(pd, ps) && !isAncestorOrSelf(dst, src);
}

/** Child path `p/segment`, validated. */
function child(p: Path, segment: string): Path {
  return parse(`${p}/${segment}`);
}

/** Operations on {@link Path} values. */
export const Path = {
  parse,
  isValid,
  depth,
  parent,
  name,
  child,
  ancestors,
  isAncestorOrSelf,
  isAncestorOf,
  commonPrefixLength,
  maySend,
  /** The system agent, root of the hierarchy. */
  root: '' as Path,
} as const;
