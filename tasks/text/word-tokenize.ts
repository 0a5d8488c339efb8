// nltk.word_tokenize(text) (language="english", preserve_line=False), as HELM's bias metric calls
// it: Punkt sentence splitting with the English parameters, then NLTKWordTokenizer per sentence.
import { nltkWordTokenize } from './nltk-word-tokenizer.js';
import { PunktSentenceTokenizer, type PunktParameters } from './punkt.js';

export type WordTokenizer = (text: string) => string[];

export function wordTokenizer(params: PunktParameters): WordTokenizer {
  const punkt = new PunktSentenceTokenizer(params);
  return (text) => punkt.tokenize(text).flatMap((sentence) => nltkWordTokenize(sentence));
}
