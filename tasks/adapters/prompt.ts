// HELM's Prompt (adaptation/prompt.py): instruction block, in-context example blocks and the eval
// block joined by instance_prefix, then the global prefix and regex substitutions.

export interface Prompt {
  globalPrefix: string;
  instancePrefix: string;
  substitutions: { source: string; target: string }[];
  instructionsBlock: string;
  trainInstanceBlocks: string[];
  evalInstanceBlock: string;
  /** Set when the prompt had to be cut to fit the context window (then it is the whole text). */
  truncatedText?: string;
}

/** Prompt.text. */
export function promptText(p: Prompt): string {
  // HELM tests `if self.truncated_text:`, so an empty truncation falls back to the full text.
  if (p.truncatedText) return p.truncatedText;
  const blocks = [...(p.instructionsBlock ? [p.instructionsBlock] : []), ...p.trainInstanceBlocks, p.evalInstanceBlock];
  let text = blocks.join(p.instancePrefix);
  if (p.globalPrefix) text = `${p.globalPrefix} ${text}`;
  for (const s of p.substitutions) text = text.replace(new RegExp(s.source, 'gu'), pythonReplacement(s.target));
  return text;
}

export function promptTruncated(p: Prompt): boolean {
  return p.truncatedText !== undefined;
}

/** A Python re.sub replacement template (\\1, \\g<name>, \\n, \\\\) as a JS replacement string. */
export function pythonReplacement(target: string): string {
  return target.replace(/\$/g, '$$$$').replace(/\\(g<(\w+)>|\d{1,2}|n|t|r|\\)/g, (_m, what: string, group?: string) => {
    if (group !== undefined) return /^\d+$/.test(group) ? `$${group}` : `$<${group}>`;
    if (/^\d/.test(what)) return `$${what}`;
    return { n: '\n', t: '\t', r: '\r', '\\': '\\' }[what] ?? what;
  });
}
