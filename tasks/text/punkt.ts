// nltk's Punkt sentence tokenizer at inference (nltk/tokenize/punkt.py, nltk 3.8.1, which HELM's
// `word_tokenize` ran through `sent_tokenize`): PunktLanguageVars' English defaults, PunktToken,
// the first and second annotation passes, _match_potential_end_contexts, _slices_from_text and
// _realign_boundaries. The trained parameters (abbreviations, collocations, sentence starters,
// orthographic contexts) are data: tasks/text/punkt-params.ts reads nltk's punkt_tab files.
// Indices are JavaScript's (UTF-16 units) throughout, which keeps nltk's slice arithmetic intact.
import { ALPHA_OR_NUMERIC_NOT_DECIMAL, ASCII_WHITESPACE, D, END, LINE_END, NS, S, firstCodePoint, isLowerChar, isUpperChar, pyRstrip, pyStrip } from './python-re.js';

export interface PunktParameters {
  abbrevTypes: Set<string>;
  /** "first\tsecond" for each collocation (type pairs). */
  collocations: Set<string>;
  sentStarters: Set<string>;
  orthoContext: Map<string, number>;
}

// Orthographic context flags (punkt.py _ORTHO_*).
const ORTHO_BEG_UC = 1 << 1;
const ORTHO_MID_UC = 1 << 2;
const ORTHO_UNK_UC = 1 << 3;
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_MID_LC = 1 << 5;
const ORTHO_UNK_LC = 1 << 6;
const ORTHO_UC = ORTHO_BEG_UC + ORTHO_MID_UC + ORTHO_UNK_UC;
const ORTHO_LC = ORTHO_BEG_LC + ORTHO_MID_LC + ORTHO_UNK_LC;

// PunktLanguageVars (English defaults).
const SENT_END_CHARS = new Set(['.', '?', '!']);
const NON_WORD = `(?:[)";}\\]*:@'({[?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.${S}){2,}\\.)`;
const WORD_START = '[^("`{[:;&#*@)}\\]\\-,]';
const WORD_TOKENIZER = new RegExp(
  `(${MULTI_CHAR}|(?=${WORD_START})${NS}+?(?=${S}|${END}|${NON_WORD}|${MULTI_CHAR}|,(?=${END}|${S}|${NON_WORD}|${MULTI_CHAR}))|${NS})`,
  'gu',
);
const PERIOD_CONTEXT = new RegExp(`[.?!](?=(?<after_tok>${NON_WORD}|${S}+(?<next_tok>${NS}+)))`, 'gdu');
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:${S}+|(?=--)|${LINE_END})`, 'u');
const PUNCTUATION = new Set([';', ':', ',', '.', '!', '?']);

// PunktToken's regexes.
const RE_ELLIPSIS = new RegExp(`^\\.\\.+${END}`, 'u');
const RE_NUMERIC = new RegExp(`^-?[.,]?${D}[${D},.-]*\\.?${END}`, 'u');
const RE_INITIAL = new RegExp(`^${ALPHA_OR_NUMERIC_NOT_DECIMAL}\\.${END}`, 'u');

/** PunktLanguageVars.word_tokenize: split off punctuation other than periods. */
export function punktWordTokenize(line: string): string[] {
  return [...line.matchAll(WORD_TOKENIZER)].map((m) => m[1]!);
}

class PunktToken {
  readonly type: string;
  readonly periodFinal: boolean;
  parastart = false;
  linestart = false;
  sentbreak = false;
  abbr = false;
  ellipsis = false;

  constructor(readonly tok: string) {
    this.type = tok.toLowerCase().replace(RE_NUMERIC, '##number##');
    this.periodFinal = tok.endsWith('.');
  }

  get typeNoPeriod(): string {
    return [...this.type].length > 1 && this.type.endsWith('.') ? this.type.slice(0, -1) : this.type;
  }

  get typeNoSentperiod(): string {
    return this.sentbreak ? this.typeNoPeriod : this.type;
  }

  get firstUpper(): boolean {
    return isUpperChar(firstCodePoint(this.tok));
  }

  get firstLower(): boolean {
    return isLowerChar(firstCodePoint(this.tok));
  }

  get isEllipsis(): boolean {
    return RE_ELLIPSIS.test(this.tok);
  }

  get isInitial(): boolean {
    return RE_INITIAL.test(this.tok);
  }
}

/** PunktBaseClass._tokenize_words: tokens per line, marking paragraph and line starts. */
function tokenizeWords(text: string): PunktToken[] {
  const out: PunktToken[] = [];
  let parastart = false;
  for (const line of text.split('\n')) {
    if (pyStrip(line)) {
      const toks = punktWordTokenize(line);
      if (toks.length === 0) continue;
      toks.forEach((tok, i) => {
        const t = new PunktToken(tok);
        if (i === 0) {
          t.parastart = parastart;
          t.linestart = true;
          parastart = false;
        }
        out.push(t);
      });
    } else {
      parastart = true;
    }
  }
  return out;
}

export class PunktSentenceTokenizer {
  constructor(readonly params: PunktParameters) {}

  /** _first_pass_annotation. */
  private firstPass(t: PunktToken): void {
    const tok = t.tok;
    if (SENT_END_CHARS.has(tok)) t.sentbreak = true;
    else if (t.isEllipsis) t.ellipsis = true;
    else if (t.periodFinal && !tok.endsWith('..')) {
      const stem = tok.slice(0, -1).toLowerCase();
      const parts = stem.split('-');
      if (this.params.abbrevTypes.has(stem) || this.params.abbrevTypes.has(parts[parts.length - 1]!)) t.abbr = true;
      else t.sentbreak = true;
    }
  }

  /** _ortho_heuristic: true, false or "unknown". */
  private orthoHeuristic(t: PunktToken): boolean | 'unknown' {
    if (PUNCTUATION.has(t.tok)) return false;
    const ctx = this.params.orthoContext.get(t.typeNoSentperiod) ?? 0;
    if (t.firstUpper && ctx & ORTHO_LC && !(ctx & ORTHO_MID_UC)) return true;
    if (t.firstLower && (ctx & ORTHO_UC || !(ctx & ORTHO_BEG_LC))) return false;
    return 'unknown';
  }

  /** _second_pass_annotation of a pair, updating the first token. */
  private secondPass(t1: PunktToken, t2: PunktToken | undefined): void {
    if (!t2 || !t1.periodFinal) return;
    const typ = t1.typeNoPeriod;
    const nextTyp = t2.typeNoSentperiod;
    const isInitial = t1.isInitial;
    if (this.params.collocations.has(`${typ}\t${nextTyp}`)) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if ((t1.abbr || t1.ellipsis) && !isInitial) {
      if (this.orthoHeuristic(t2) === true) {
        t1.sentbreak = true;
        return;
      }
      if (t2.firstUpper && this.params.sentStarters.has(nextTyp)) {
        t1.sentbreak = true;
        return;
      }
    }
    if (isInitial || typ === '##number##') {
      const starter = this.orthoHeuristic(t2);
      if (starter === false) {
        t1.sentbreak = false;
        t1.abbr = true;
        return;
      }
      if (starter === 'unknown' && isInitial && t2.firstUpper && !((this.params.orthoContext.get(nextTyp) ?? 0) & ORTHO_LC)) {
        t1.sentbreak = false;
        t1.abbr = true;
      }
    }
  }

  /** _annotate_tokens: both passes (the second over consecutive pairs). */
  private annotate(tokens: PunktToken[]): PunktToken[] {
    for (const t of tokens) this.firstPass(t);
    tokens.forEach((t, i) => this.secondPass(t, tokens[i + 1]));
    return tokens;
  }

  /** text_contains_sentbreak: a sentence break followed by any further token. */
  private containsSentbreak(text: string): boolean {
    let found = false;
    for (const t of this.annotate(tokenizeWords(text))) {
      if (found) return true;
      if (t.sentbreak) found = true;
    }
    return false;
  }

  /** _match_potential_end_contexts: each candidate end with the word before it and the token after. */
  private *potentialEndContexts(text: string): Generator<{ match: RegExpExecArray; context: string }> {
    let prev = { start: 0, stop: 0 };
    let prevMatch: RegExpExecArray | null = null;
    const context = (m: RegExpExecArray, slice: { start: number; stop: number }) => text.slice(slice.start, slice.stop) + m[0] + m.groups!.after_tok!;
    for (const match of text.matchAll(PERIOD_CONTEXT) as IterableIterator<RegExpExecArray>) {
      const before = text.slice(prev.stop, match.index);
      let afterSpace = lastWhitespaceIndex(before);
      // nltk tests the index for truth, so whitespace at position 0 counts as none.
      afterSpace = afterSpace ? afterSpace + prev.stop + 1 : prev.start;
      const wordSlice = { start: afterSpace, stop: match.index };
      if (prevMatch && prev.stop <= wordSlice.start) yield { match: prevMatch, context: context(prevMatch, prev) };
      prevMatch = match;
      prev = wordSlice;
    }
    if (prevMatch) yield { match: prevMatch, context: context(prevMatch, prev) };
  }

  /** _slices_from_text. */
  private slices(text: string): { start: number; stop: number }[] {
    const out: { start: number; stop: number }[] = [];
    let lastBreak = 0;
    for (const { match, context } of this.potentialEndContexts(text)) {
      if (!this.containsSentbreak(context)) continue;
      const end = match.index + match[0].length;
      out.push({ start: lastBreak, stop: end });
      const next = match.indices!.groups!.next_tok;
      lastBreak = match.groups!.next_tok ? next![0] : end;
    }
    out.push({ start: lastBreak, stop: pyRstrip(text).length });
    return out;
  }

  /** _realign_boundaries: closing punctuation after a break joins the sentence before it. */
  private realign(text: string, slices: { start: number; stop: number }[]): { start: number; stop: number }[] {
    const out: { start: number; stop: number }[] = [];
    let realign = 0;
    slices.forEach((s, i) => {
      const s1 = { start: s.start + realign, stop: s.stop };
      const s2 = slices[i + 1];
      if (!s2) {
        if (text.slice(s1.start, s1.stop)) out.push(s1);
        return;
      }
      const m = BOUNDARY_REALIGNMENT.exec(text.slice(s2.start, s2.stop));
      if (m) {
        out.push({ start: s1.start, stop: s2.start + pyRstrip(m[0]).length });
        realign = m[0].length;
      } else {
        realign = 0;
        if (text.slice(s1.start, s1.stop)) out.push(s1);
      }
    });
    return out;
  }

  /** tokenize(text): the sentences, realigned (realign_boundaries=True). */
  tokenize(text: string): string[] {
    return this.realign(text, this.slices(text)).map((s) => text.slice(s.start, s.stop));
  }
}

/** _get_last_whitespace_index: the last index holding a string.whitespace character, else 0. */
function lastWhitespaceIndex(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (ASCII_WHITESPACE.has(text[i]!)) return i;
  return 0;
}
