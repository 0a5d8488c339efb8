// Escapes untrusted text for a Markdown table cell or inline span: no HTML, no pipes, no newlines,
// no backticks that would end a code span.
export function mdCell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'")
    .replace(/\r?\n/g, ' ');
}
