// tasks/text/python-str.ts against the python3 on this machine, over every code point
// (test/fixtures/python/python_str_facts.py). A difference is accepted only where the two Unicode
// databases disagree (a character, or its mapping, unassigned in Python's; a changed category).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/shared-data.js';
import {
  PY_PUNCTUATION,
  PY_WHITESPACE,
  PY_WORD,
  comparePythonStrings,
  isLowerChar,
  isUpperChar,
  pyCapitalize,
  pyInt,
  pyLower,
  pyReplace,
  pyRstrip,
  pySplit,
  pyStrip,
  pyUpper,
  titleCaseChar,
} from '../../tasks/text/python-str.js';

interface Facts {
  python: string;
  unicode: string;
  punctuation: string;
  space: number[];
  re_space: number[];
  word: number[];
  islower: number[];
  isupper: number[];
  lower: [number, string][];
  upper: [number, string][];
  capitalize: [number, string][];
  int_strips: number[];
  categories: [string, number][];
}

function* codePoints(): Generator<number> {
  for (let cp = 0; cp < 0x110000; cp++) if (cp < 0xd800 || cp > 0xdfff) yield cp;
}

describe('tasks/text/python-str.ts equals CPython', function () {
  this.timeout(120_000);
  let facts: Facts;
  let category: Uint8Array;
  let names: string[];

  before(function () {
    const r = spawnSync('python3', [join(REPO_ROOT, 'test/fixtures/python/python_str_facts.py')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error || r.status !== 0) {
      console.log(`      skipped: python3 not available (${r.error?.message ?? r.stderr})`);
      this.skip();
    }
    facts = JSON.parse(r.stdout) as Facts;
    names = [...new Set(facts.categories.map(([c]) => c))];
    category = new Uint8Array(0x110000);
    let at = 0;
    for (const [c, n] of facts.categories) category.fill(names.indexOf(c), at, (at += n));
  });

  const pyCategory = (cp: number) => names[category[cp]!]!;
  const unassignedInPython = (s: string) => Array.from(s).some((ch) => pyCategory(ch.codePointAt(0)!) === 'Cn');
  /** The two Unicode versions disagree about this character. */
  const versionDiffers = (cp: number) => {
    const cat = pyCategory(cp);
    return cat === 'Cn' || !new RegExp(`^\\p{gc=${cat}}$`, 'u').test(String.fromCodePoint(cp));
  };

  function expectSameSet(what: string, python: number[], js: (ch: string) => boolean, excused: (cp: number) => boolean = () => false): void {
    const py = new Set(python);
    const wrong: string[] = [];
    for (const cp of codePoints()) {
      if (py.has(cp) !== js(String.fromCodePoint(cp)) && !versionDiffers(cp) && !excused(cp)) wrong.push(cp.toString(16));
    }
    expect(wrong, `${what}: code points where JavaScript and CPython ${facts.python} disagree`).to.deep.equal([]);
  }

  function expectSameMapping(what: string, python: [number, string][], js: (ch: string) => string, skip: (cp: number) => boolean = () => false): number {
    const py = new Map(python);
    const wrong: string[] = [];
    let checked = 0;
    for (const cp of codePoints()) {
      const ch = String.fromCodePoint(cp);
      const want = py.get(cp) ?? ch;
      const got = js(ch);
      if (versionDiffers(cp) || skip(cp)) continue;
      checked++;
      if (got !== want && !unassignedInPython(got)) wrong.push(`${cp.toString(16)}: ${JSON.stringify(want)} ≠ ${JSON.stringify(got)}`);
    }
    expect(wrong, `${what}: CPython ${facts.python} (Unicode ${facts.unicode})`).to.deep.equal([]);
    return checked;
  }

  it('str.isspace() is PY_WHITESPACE, and re\'s \\s is the same set', () => {
    const ws = new RegExp(`^[${PY_WHITESPACE}]$`, 'u');
    expectSameSet('isspace', facts.space, (ch) => ws.test(ch));
    expect(facts.re_space).to.deep.equal(facts.space);
  });

  it('str.split()/strip()/rstrip() split and strip exactly the isspace() characters', () => {
    for (const cp of facts.space) {
      const s = String.fromCodePoint(cp);
      expect(pySplit(`${s}a${s}${s}b${s}`), cp.toString(16)).to.deep.equal(['a', 'b']);
      expect(pyStrip(`${s}a${s}`)).to.equal('a');
      expect(pyRstrip(`${s}a${s}`)).to.equal(`${s}a`);
    }
    expect(pySplit('a\ufeffb\u200bc')).to.deep.equal(['a\ufeffb\u200bc']); // neither is whitespace to Python
    expect(pySplit(' \t ')).to.deep.equal([]);
  });

  it("re's \\w is [PY_WORD]; string.punctuation is PY_PUNCTUATION", () => {
    const word = new RegExp(`^[${PY_WORD}]$`, 'u');
    expectSameSet('\\w', facts.word, (ch) => word.test(ch));
    expect([...PY_PUNCTUATION].join('')).to.equal(facts.punctuation);
  });

  it('str.islower()/isupper() of one character', () => {
    // Unicode 15 gave some modifier letters (Lm: U+10FC, U+A7F2..U+A7F4, U+AB69) Other_Lowercase.
    expectSameSet('islower', facts.islower, isLowerChar, (cp) => pyCategory(cp) === 'Lm');
    expectSameSet('isupper', facts.isupper, isUpperChar);
  });

  it('str.lower()/upper() per code point, and str.capitalize() (title case first) per code point', () => {
    expectSameMapping('lower', facts.lower, pyLower);
    expectSameMapping('upper', facts.upper, pyUpper);
    // Where the versions map a character's upper case differently, its title case differs too.
    const upper = new Map(facts.upper);
    const upperDiffers = (cp: number) => pyUpper(String.fromCodePoint(cp)) !== (upper.get(cp) ?? String.fromCodePoint(cp));
    expect(expectSameMapping('capitalize', facts.capitalize, titleCaseChar, upperDiffers)).to.be.greaterThan(200_000);
  });

  it('capitalize lower-cases the rest in context (final sigma), replace, ordering', () => {
    expect(pyCapitalize('ΑΣ')).to.equal('Ας');
    expect(pyCapitalize('ΑΣΑ')).to.equal('Ασα');
    expect(pyCapitalize('ßIG')).to.equal('Ssig');
    expect(pyCapitalize('ǆemal')).to.equal('ǅemal');
    expect(pyCapitalize('')).to.equal('');
    expect(pyReplace('a.b.c', '.', '..')).to.equal('a..b..c');
    expect(['\u{1F600}', '\uFF21', 'a'].sort(comparePythonStrings)).to.deep.equal(['a', '\uFF21', '\u{1F600}']);
  });

  it('int() strips whitespace except U+001C..U+001F and takes "_" between digits', () => {
    for (const cp of facts.space) {
      const s = String.fromCodePoint(cp);
      expect(pyInt(`${s}1${s}`), cp.toString(16)).to.equal(facts.int_strips.includes(cp) ? 1 : null);
    }
    expect([pyInt('+1_0'), pyInt('-3'), pyInt('1__0'), pyInt('\ufeff1'), pyInt('1.0'), pyInt('')]).to.deep.equal([10, -3, null, null, null, null]);
  });
});
