// GPT-3-style text normalisation for overlap detection (Brown et al. 2020, appendix C): lowercase,
// punctuation removed, split on whitespace. Anything that is not a letter or a digit separates tokens.

const NON_WORD = /[^\p{L}\p{N}]+/gu;

export function normalizeTokens(text: string): string[] {
  const s = text.toLowerCase().replace(NON_WORD, ' ').trim();
  return s === '' ? [] : s.split(' ');
}
