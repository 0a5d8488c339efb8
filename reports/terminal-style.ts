// Whether terminal output may carry colour codes: only on a TTY, never with NO_COLOR set
// (https://no-color.org) or TERM=dumb; FORCE_COLOR forces it. Files and pipes get plain text.

export function colorWanted(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

/** cli-table3's style: its default colours, or none. */
export function tableStyle(color: boolean): { head?: string[]; border?: string[] } {
  return color ? {} : { head: [], border: [] };
}
