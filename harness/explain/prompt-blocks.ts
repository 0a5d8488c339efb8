// Locates a prompt difference in HELM's prompt structure: blocks separated by blank lines, where the
// last block is the evaluated instance and earlier blocks are the instructions and in-context
// (few-shot) examples.

export interface BlockLocation {
  block: number;
  blocks: number;
  role: 'evaluated instance' | 'instructions or in-context example';
}

export function locateInBlocks(prompt: string, index: number): BlockLocation {
  const starts = [0];
  const re = /\n\s*\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(prompt))) starts.push(m.index + m[0].length);
  let block = 0;
  while (block + 1 < starts.length && starts[block + 1] <= index) block++;
  const blocks = starts.length;
  return { block: block + 1, blocks, role: block + 1 === blocks ? 'evaluated instance' : 'instructions or in-context example' };
}
