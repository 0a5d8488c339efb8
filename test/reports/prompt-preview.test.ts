import { expect } from 'chai';
import { buildPrompt } from '../../tasks/adapters/adapt.js';
import { exampleBlock } from '../../tasks/adapters/example-block.js';
import { promptText } from '../../tasks/adapters/prompt.js';
import { generationSpec, multipleChoiceJointSpec } from '../../tasks/adapters/helm-specs.js';
import type { AdapterSpec } from '../../tasks/adapters/adapter-spec.js';
import type { Instance } from '../../tasks/instance.js';
import { evalBlockRange, promptPreview, promptShape, sharedPrefixLength } from '../../reports/html/prompt-preview.js';

const mcq = (id: string, input: string, gold = 1): Instance => ({
  id,
  input,
  split: 'test',
  references: ['Brivo', 'Vesk', 'Pim', 'Tullo'].map((text, i) => ({ text, correct: i === gold })),
});
const gen = (id: string, input: string, answer: string): Instance => ({ id, input, split: 'test', references: [{ text: answer, correct: true }] });

/** The prompt HELM builds for `evalInstance` after `examples`, through the project's own adapter code. */
function helmPrompt(spec: AdapterSpec, examples: Instance[], evalInstance: Instance): string {
  return promptText(buildPrompt(spec, examples.map((e) => exampleBlock(spec, e, true)), evalInstance));
}

// results.json keeps the adapter spec as a plain record; the preview reads it from there.
const shapeOf = (spec: AdapterSpec) => promptShape(JSON.parse(JSON.stringify(spec)) as Record<string, unknown>);

describe('prompt preview (instance browser)', () => {
  const mmlu = multipleChoiceJointSpec({ instructions: 'The following are multiple choice questions (with answers) about anatomy.', inputNoun: 'Question', outputNoun: 'Answer' });
  const shots = [mcq('t1', 'Which bone is the longest?', 0), mcq('t2', 'Where does Pim live? Answer: somewhere.', 2), mcq('t3', 'Which muscle flexes the elbow?', 3)];

  it('starts at the eval instance’s own question after five-shot MMLU examples, not at the instructions or an example', () => {
    const q = 'In which town does Bapuki live, according to the census of the small northern province?';
    const prompt = helmPrompt(mmlu, shots, mcq('e1', q));
    const [start, end] = evalBlockRange(prompt, shapeOf(mmlu));
    expect(prompt.slice(start, end)).to.equal(`Question: ${q}\nA. Brivo\nB. Vesk\nC. Pim\nD. Tullo\n`);
    expect(promptPreview(prompt, shapeOf(mmlu))).to.equal(`${q} A. Brivo B. Vesk C. …`);
  });

  it('finds the question when it holds the output prefix and a blank line itself, from what the run\'s prompts share', () => {
    const q = 'Passage: the clerk wrote "Answer: none".\n\nWhich town is named first?';
    const prompts = [helmPrompt(mmlu, shots, mcq('e2', q)), helmPrompt(mmlu, shots, mcq('e3', 'Passage: the clerk left.')), helmPrompt(mmlu, shots, mcq('e4', 'Who lives in Vesk?'))];
    const shared = sharedPrefixLength(prompts);
    expect(prompts[0].slice(0, shared)).to.match(/\n\nQuestion: $/);
    const [start] = evalBlockRange(prompts[0], shapeOf(mmlu), shared);
    expect(prompts[0].slice(start)).to.match(/^Question: Passage: the clerk wrote/);
    expect(promptPreview(prompts[0], shapeOf(mmlu), shared, 200)).to.equal('Passage: the clerk wrote "Answer: none". Which town is named first? A. Brivo B. Vesk C. Pim D. Tullo');
    expect(promptPreview(prompts[2], shapeOf(mmlu), shared)).to.equal('Who lives in Vesk? A. Brivo B. Vesk C. Pim D. Tullo');
  });

  it('zero-shot: starts after the instruction block', () => {
    const zero = multipleChoiceJointSpec({ instructions: 'The following are multiple choice questions (with answers) about geography.', inputNoun: 'Question', outputNoun: 'Answer', maxTrainInstances: 0 });
    const prompt = helmPrompt(zero, [], mcq('e3', 'In which town does Bapuki live?'));
    expect(prompt).to.equal('The following are multiple choice questions (with answers) about geography.\n\nQuestion: In which town does Bapuki live?\nA. Brivo\nB. Vesk\nC. Pim\nD. Tullo\nAnswer:');
    expect(promptPreview(prompt, shapeOf(zero))).to.equal('In which town does Bapuki live? A. Brivo B. Vesk C. Pim D. Tullo');
  });

  it('generation (GSM-style Q:/A: with chain-of-thought answers) and no output prefix at all', () => {
    const gsm = generationSpec({ inputNoun: 'Q', outputNoun: 'A', maxTrainInstances: 5, maxTokens: 400 });
    const ex = [gen('g1', 'Tom has 3 apples and buys 2 more. How many?', 'He has 3 + 2 = 5. The answer is 5.'), gen('g2', 'A pen costs 2 dollars. What do 4 pens cost?', '4 * 2 = 8. The answer is 8.')];
    const q = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?';
    const prompt = helmPrompt(gsm, ex, gen('e4', q, '72'));
    const preview = promptPreview(prompt, shapeOf(gsm));
    expect(q.startsWith(preview.replace(/ …$/, ''))).to.equal(true);
    expect(preview).to.match(/^Natalia sold clips .* …$/);
    expect(preview.length).to.be.at.most(112);
    // Cut after a whole word: what precedes " …" is a word of the question.
    const words = q.split(' ');
    expect(words).to.include(preview.replace(/ …$/, '').split(' ').at(-1));
    const bare = generationSpec({ maxTrainInstances: 2 });
    const p2 = helmPrompt(bare, ex, gen('e5', 'Summarize: the cat sat on the mat.', 'cat sat'));
    expect(promptPreview(p2, shapeOf(bare))).to.equal('Summarize: the cat sat on the mat.');
  });

  it('an unknown shape falls back to the start of the prompt, never to a cut mid-word', () => {
    const preview = promptPreview('Some free-form prompt that follows no adapter at all and goes on for a while longer than the limit allows', promptShape({}), undefined, 40);
    expect(preview).to.equal('Some free-form prompt that follows no …');
  });
});
