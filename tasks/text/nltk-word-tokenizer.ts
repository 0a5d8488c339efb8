// nltk's NLTKWordTokenizer (nltk/tokenize/destructive.py, nltk 3.8.1, identical in 3.8): the
// "improved Treebank" tokenizer that `word_tokenize` applies to each Punkt sentence. A sequence of
// regex substitutions, then str.split(). The patterns are nltk's, rewritten for JavaScript with
// Python's Unicode \w, \b, \d, \s and $ (tasks/text/python-re.ts); convert_parentheses is off, as
// word_tokenize calls it.
import { B, D, END, S, W, pySplit } from './python-re.js';

type Rule = [RegExp, string];

const rx = (source: string, flags = ''): RegExp => new RegExp(source, `gu${flags}`);

const STARTING_QUOTES: Rule[] = [
  [rx('([«“‘„]|[`]+)'), ' $1 '],
  [rx('^"'), '``'],
  [rx('(``)'), ' $1 '],
  [rx('([ ([{<])("|\'{2})'), '$1 `` '],
  [rx(`(')(?!re|ve|ll|m|t|s|d|n)(${W})${B}`, 'i'), '$1 $2'],
];

const ENDING_QUOTES: Rule[] = [
  [rx('([»”’])'), ' $1 '],
  [rx("''"), " '' "],
  [rx('"'), " '' "],
  [rx("([^' ])('[sS]|'[mM]|'[dD]|') "), '$1 $2 '],
  [rx("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), '$1 $2 '],
];

const PUNCTUATION: Rule[] = [
  [rx(`([^.])(\\.)([\\])}>"'»”’ ]*)${S}*${END}`), '$1 $2 $3 '],
  [rx(`([:,])([^${D}])`), ' $1 $2'],
  [rx(`([:,])${END}`), ' $1 '],
  [rx('\\.{2,}'), ' $& '],
  [rx('[;@#$%&]'), ' $& '],
  [rx(`([^.])(\\.)([\\])}>"']*)${S}*${END}`), '$1 $2$3 '], // the final period
  [rx('[?!]'), ' $& '],
  [rx("([^'])' "), "$1 ' "],
  [rx('[*]'), ' $& '],
];

const PARENS_BRACKETS: Rule = [rx('[\\][(){}<>]'), ' $& '];
const DOUBLE_DASHES: Rule = [rx('--'), ' -- '];

// MacIntyre's contractions (CONTRACTIONS2 and 3; nltk does not use CONTRACTIONS4).
const CONTRACTIONS: RegExp[] = [
  `${B}(can)(not)${B}`,
  `${B}(d)('ye)${B}`,
  `${B}(gim)(me)${B}`,
  `${B}(gon)(na)${B}`,
  `${B}(got)(ta)${B}`,
  `${B}(lem)(me)${B}`,
  `${B}(more)('n)${B}`,
  `${B}(wan)(na)(?=${S})`,
  ` ('t)(is)${B}`,
  ` ('t)(was)${B}`,
].map((p) => rx(p, 'i'));

function apply(text: string, rules: Rule[]): string {
  return rules.reduce((t, [re, replacement]) => t.replace(re, replacement), text);
}

/** NLTKWordTokenizer().tokenize(text) for one sentence. */
export function nltkWordTokenize(text: string): string[] {
  let t = apply(text, STARTING_QUOTES);
  t = apply(t, PUNCTUATION);
  t = apply(t, [PARENS_BRACKETS, DOUBLE_DASHES]);
  t = ` ${t} `;
  t = apply(t, ENDING_QUOTES);
  for (const re of CONTRACTIONS) t = t.replace(re, ' $1 $2 ');
  return pySplit(t);
}
