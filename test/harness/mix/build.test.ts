import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { buildMix, loadManifest } from '../../../harness/mix/build.js';
import { assembleMix, type LineageRow, type RemovedRow } from '../../../harness/mix/assemble.js';
import type { EvalText } from '../../../harness/gate/contamination-index.js';
import { alpacaPrompt } from '../../../model/train/training-data.js';
import { FAMILIES } from '../../../tasks/mini/families.js';
import { zeroShotPair } from '../../../tasks/adapters/zero-shot-pair.js';
import { DEFAULT_MINI_SEED, generateWorld } from '../../../tasks/mini/world.js';
import { requireSharedData } from '../../helpers/shared-data.js';
import { TempDir, distinctRows, jsonl } from './fixtures.js';

const NO_DATA = '/nonexistent-data-dir';

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

async function build(dir: TempDir, manifest: string, opts: { out?: string; evalTexts?: { label: string; texts: EvalText[] }; dataDir?: string } = {}) {
  const out = dir.file(opts.out ?? 'out');
  const r = await buildMix(dir.write('m.yaml', manifest), out, { dataDir: opts.dataDir ?? NO_DATA, evalTexts: opts.evalTexts });
  return {
    ...r,
    data: readJsonl<{ prompt: string; completion: string; source: string }>(join(out, 'data.jsonl')),
    lineage: readJsonl<LineageRow>(join(out, 'lineage.jsonl')),
    removed: readJsonl<RemovedRow>(join(out, 'removed.jsonl')),
  };
}

async function buildError(dir: TempDir, manifest: string, dataDir = NO_DATA): Promise<Error> {
  try {
    await assembleMix(loadManifest(dir.write('m.yaml', manifest)), { dataDir });
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the build to fail');
}

describe('mix build', () => {
  let dir: TempDir;
  beforeEach(() => (dir = new TempDir()));
  afterEach(() => dir.remove());

  it('is deterministic: the same manifest and inputs give byte-identical files', async () => {
    dir.write('a.jsonl', jsonl(distinctRows(40, 'a')));
    dir.write('b.jsonl', jsonl(distinctRows(40, 'b')));
    const m = 'seed: 11\ntotal: 30\nsources:\n  - {name: a, file: a.jsonl, share: 0.6}\n  - {name: b, file: b.jsonl, share: 0.4}\n';
    const one = await build(dir, m, { out: 'one' });
    const two = await build(dir, m, { out: 'two' });
    for (const f of ['data.jsonl', 'lineage.jsonl', 'removed.jsonl', 'mix.json']) {
      expect(readFileSync(dir.file(`two/${f}`))).to.deep.equal(readFileSync(dir.file(`one/${f}`)));
    }
    expect(one.data.filter((r) => r.source === 'a')).to.have.length(18);
    expect(one.data.filter((r) => r.source === 'b')).to.have.length(12);
    // Shuffled: not all of a first.
    expect(one.data.slice(0, 18).every((r) => r.source === 'a')).to.equal(false);
    // Another seed draws other rows.
    const other = await build(dir, m.replace('seed: 11', 'seed: 12'), { out: 'three' });
    expect(other.data.map((r) => r.prompt)).to.not.deep.equal(one.data.map((r) => r.prompt));
    expect(other.info.version).to.not.equal(one.info.version);
  });

  it('changing one source leaves the other source\'s draw as it was', async () => {
    dir.write('a.jsonl', jsonl(distinctRows(40, 'a')));
    dir.write('b.jsonl', jsonl(distinctRows(40, 'b')));
    const one = await build(dir, 'seed: 5\nsources:\n  - {name: a, file: a.jsonl, rows: 10}\n  - {name: b, file: b.jsonl, rows: 10}\n', { out: 'one' });
    const two = await build(dir, 'seed: 5\nsources:\n  - {name: a, file: a.jsonl, rows: 10}\n  - {name: b, file: b.jsonl, rows: 20}\n', { out: 'two' });
    const aRows = (d: typeof one.data) => d.filter((r) => r.source === 'a').map((r) => r.prompt).sort();
    expect(aRows(two.data)).to.deep.equal(aRows(one.data));
  });

  it('the version covers the manifest and every input file, not where they are', async () => {
    dir.write('a.jsonl', jsonl(distinctRows(10, 'a')));
    const m = 'seed: 1\nsources:\n  - {name: a, file: a.jsonl, rows: all}\n';
    const one = await build(dir, m, { out: 'one' });
    const copy = new TempDir();
    try {
      copy.write('a.jsonl', jsonl(distinctRows(10, 'a')));
      const moved = await build(copy, m);
      expect(moved.info.version).to.equal(one.info.version);
    } finally {
      copy.remove();
    }
    dir.write('a.jsonl', jsonl(distinctRows(11, 'a')));
    const changed = await build(dir, m, { out: 'two' });
    expect(changed.info.version).to.not.equal(one.info.version);
    expect(changed.info.inputs).to.deep.equal([{ input: 'file:a.jsonl', sha256: changed.info.inputs[0].sha256 }]);
  });

  it('reads JSONL in both finetune shapes, CSV and Parquet with field mappings, with lineage back to the line', async () => {
    dir.write('pc.jsonl', jsonl([{ prompt: 'Translate the word cat into French please.', completion: ' chat' }, { prompt: 'Name the capital city of the country Peru.', completion: ' Lima' }]));
    dir.write('alpaca.jsonl', '\n' + jsonl([{ instruction: 'Add the two numbers given below.', input: '2 and 3', output: '5' }, { instruction: 'Say hello to the whole wide world.', output: 'Hello, world!' }]));
    dir.write('t.csv', 'question,answer,extra\n"What colour is the clear daytime sky?",Blue,x\n"How many legs does a spider have, usually?",Eight,y\n');
    dir.write(
      't.parquet',
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'q', data: ['Which planet is known as the red planet?', 'What is the boiling point of water in Celsius?'] },
            { name: 'a', data: ['Mars', '100'] },
          ],
        }),
      ),
    );
    const r = await build(
      dir,
      `seed: 0
shuffle: false
sources:
  - {name: pc, file: pc.jsonl, rows: all}
  - {name: alpaca, file: alpaca.jsonl, rows: all}
  - name: csv
    file: t.csv
    rows: all
    fields: {prompt: "Q: {question}\\nA:", completion: " {answer}"}
  - name: pq
    file: t.parquet
    rows: all
    fields: {prompt: q, completion: a}
`,
    );
    expect(r.data.map((d) => [d.source, d.prompt, d.completion])).to.deep.equal([
      ['pc', 'Translate the word cat into French please.', ' chat'],
      ['pc', 'Name the capital city of the country Peru.', ' Lima'],
      ['alpaca', alpacaPrompt('Add the two numbers given below.', '2 and 3'), '5'],
      ['alpaca', alpacaPrompt('Say hello to the whole wide world.', ''), 'Hello, world!'],
      ['csv', 'Q: What colour is the clear daytime sky?\nA:', ' Blue'],
      ['csv', 'Q: How many legs does a spider have, usually?\nA:', ' Eight'],
      ['pq', 'Which planet is known as the red planet?', 'Mars'],
      ['pq', 'What is the boiling point of water in Celsius?', '100'],
    ]);
    expect(r.lineage.map((l) => [l.line, l.source, l.origin])).to.deep.equal([
      [1, 'pc', { file: 'pc.jsonl', line: 1 }],
      [2, 'pc', { file: 'pc.jsonl', line: 2 }],
      [3, 'alpaca', { file: 'alpaca.jsonl', line: 2 }],
      [4, 'alpaca', { file: 'alpaca.jsonl', line: 3 }],
      [5, 'csv', { file: 't.csv', line: 2 }],
      [6, 'csv', { file: 't.csv', line: 3 }],
      [7, 'pq', { file: 't.parquet', row: 1 }],
      [8, 'pq', { file: 't.parquet', row: 2 }],
    ]);
    expect(r.lineage[2].transformations[0]).to.match(/Alpaca template/);
    expect(r.lineage[4].transformations[0]).to.equal('fields: prompt←"Q: {question}\\nA:", completion←" {answer}"');
    expect(r.lineage[0].transformations).to.include('all 2 rows taken');
  });

  it('bad rows and unmapped columns are errors naming the source, the manifest line and the file line', async () => {
    dir.write('bad.jsonl', jsonl([{ prompt: 'fine prompt here', completion: 'ok' }]) + '{"prompt": 3}\n');
    expect((await buildError(dir, 'sources:\n  - {name: bad, file: bad.jsonl, rows: all}\n')).message).to.match(/source "bad" \(.*m\.yaml:2\): bad\.jsonl:2: "prompt" must be a string/);
    dir.write('t.csv', 'question,answer\nWhat?,Yes\n');
    expect((await buildError(dir, 'sources:\n  - name: c\n    file: t.csv\n    rows: all\n    fields: {prompt: question, completion: reply}\n')).message).to.match(/source "c" \(.*m\.yaml:2\): t\.csv:2: no column "reply" \(columns: question, answer\)/);
    dir.write('other.jsonl', jsonl([{ text: 'plain text row' }]));
    expect((await buildError(dir, 'sources:\n  - {name: t, file: other.jsonl, rows: all}\n')).message).to.match(/other\.jsonl:1: expected \{"prompt","completion"\}.*or give the source a "fields" mapping/);
    dir.write('x.parquet', 'not parquet at all');
    expect((await buildError(dir, 'sources:\n  - {name: p, file: x.parquet, rows: all, fields: {prompt: a, completion: b}}\n')).message).to.match(/source "p" .*x\.parquet: cannot read as Parquet/);
  });

  it('applies each filter and lists the dropped rows with the filter and its numbers', async () => {
    const rows = [
      { prompt: 'short', completion: 'x' }, // min_chars
      { prompt: 'This prompt is long enough to pass every length bound set here.', completion: ' ok' }, // kept
      { prompt: `Long ${'word '.repeat(60)}`, completion: ' too long' }, // max_chars / max_words
      { prompt: 'Das ist ein deutscher Satz über das Wetter in Berlin heute.', completion: ' Es regnet den ganzen Tag.' }, // language
      { prompt: 'This row mentions LOREM ipsum dolor, which we exclude here.', completion: ' fine' }, // exclude
      { prompt: 'This one has no question keyword at all in its prompt text.', completion: ' none' }, // include
    ];
    dir.write('f.jsonl', jsonl(rows));
    const r = await build(
      dir,
      `shuffle: false
sources:
  - name: f
    file: f.jsonl
    rows: all
    filters:
      min_chars: 20
      max_chars: 200
      min_words: 4
      max_words: 40
      language: {allow: [eng]}
      include: {pattern: "long|lorem|weather|Berlin", flags: i}
      exclude: {pattern: "lorem", flags: i, field: prompt}
`,
    );
    expect(r.data.map((d) => d.prompt)).to.deep.equal([rows[1].prompt]);
    const why = r.removed.map((x) => [(x.origin as { line: number }).line, x.reason, x.reason === 'filter' ? x.filter : null]);
    expect(why).to.deep.equal([
      [1, 'filter', 'min_chars'],
      [3, 'filter', 'max_chars'],
      [4, 'filter', 'language'],
      [5, 'filter', 'exclude'],
      [6, 'filter', 'include'],
    ]);
    expect(r.removed[0]).to.include({ detail: '6 characters < 20' });
    expect((r.removed[2] as { detail: string }).detail).to.match(/detected deu/);
    // Each filter alone.
    const only = async (filters: string, row: { prompt: string; completion: string }) => {
      dir.write('g.jsonl', jsonl([row, rows[1]]));
      const x = await build(dir, `sources:\n  - {name: g, file: g.jsonl, rows: all, filters: ${filters}}\n`, { out: `o${Math.random()}` });
      return x.removed.map((y) => (y.reason === 'filter' ? y.filter : y.reason));
    };
    expect(await only('{max_words: 20}', rows[2])).to.deep.equal(['max_words']);
    expect(await only('{min_words: 6}', { prompt: 'two words', completion: ' and three' })).to.deep.equal(['min_words']);
    expect(await only('{include: "keyword"}', rows[5])).to.deep.equal(['include']);
    expect(await only('{include: {pattern: "ok$", field: completion}}', { prompt: 'This prompt is long enough and ends with ok', completion: ' nope' })).to.deep.equal(['include']);
    expect(await only('{language: {allow: [eng], undetermined: drop}}', { prompt: '12 + 7', completion: ' 19' })).to.deep.equal(['language']);
    expect(await only('{language: [deu]}', rows[3])).to.deep.equal(['language']);
  });

  it('a source with no rows left after its filters is an error naming it and its manifest line', async () => {
    dir.write('a.jsonl', jsonl(distinctRows(5, 'a')));
    dir.write('tiny.jsonl', jsonl([{ prompt: 'a', completion: 'b' }, { prompt: 'c', completion: 'd' }]));
    const e = await buildError(dir, 'sources:\n  - {name: a, file: a.jsonl, rows: all}\n  - name: tiny\n    file: tiny.jsonl\n    rows: all\n    filters: {min_chars: 10}\n');
    expect(e.name).to.equal('UserError');
    expect(e.message).to.match(/m\.yaml:3: source "tiny" has no rows left after filters \(2 read; min_chars dropped 2\)/);
    dir.write('empty.jsonl', '\n\n');
    expect((await buildError(dir, 'sources:\n  - {name: empty, file: empty.jsonl, rows: all}\n')).message).to.match(/m\.yaml:2: source "empty" has no rows/);
  });

  it('finds planted exact and near duplicates within and across sources, naming the row kept', async () => {
    const base = distinctRows(10, 'x');
    const long = {
      prompt: 'Explain in a few sentences why the sky appears blue during a clear day and why sunsets often look red or orange near the horizon.',
      completion: ' Sunlight scatters off air molecules, and shorter blue wavelengths scatter the most, so the sky looks blue; at sunset light travels through more air and the blue is scattered away.',
    };
    const nearCopy = { ...long, completion: long.completion.replace('the most', 'the strongest') };
    const exactCopy = { prompt: base[3].prompt.toUpperCase(), completion: `${base[3].completion}!!` }; // same after normalisation
    dir.write('a.jsonl', jsonl([...base, long]));
    dir.write('b.jsonl', jsonl([exactCopy, nearCopy, { prompt: base[7].prompt, completion: base[7].completion }, ...distinctRows(3, 'y')]));
    const r = await build(dir, 'shuffle: false\nsources:\n  - {name: a, file: a.jsonl, rows: all}\n  - {name: b, file: b.jsonl, rows: all}\n');
    const dups = r.removed.map((x) => ({ reason: x.reason, at: x.origin, of: x.reason === 'duplicate' ? x.duplicate_of : x.reason === 'near-duplicate' ? x.near_duplicate_of : null, sim: x.reason === 'near-duplicate' ? x.similarity : null }));
    expect(dups).to.have.length(3);
    expect(dups[0]).to.deep.equal({ reason: 'duplicate', at: { file: 'b.jsonl', line: 1 }, of: { source: 'a', origin: { file: 'a.jsonl', line: 4 } }, sim: null });
    expect(dups[1].reason).to.equal('near-duplicate');
    expect(dups[1].of).to.deep.equal({ source: 'a', origin: { file: 'a.jsonl', line: 11 } });
    expect(dups[1].sim).to.be.within(0.8, 0.99);
    expect(dups[2]).to.deep.include({ reason: 'duplicate', at: { file: 'b.jsonl', line: 3 } });
    expect(r.info.sources.map((s) => [s.name, s.duplicates, s.near_duplicates, s.written])).to.deep.equal([
      ['a', 0, 0, 11],
      ['b', 2, 1, 3],
    ]);
    // Without near-duplicate removal the near copy stays.
    const exactOnly = await build(dir, 'dedup: {near: false}\nsources:\n  - {name: a, file: a.jsonl, rows: all}\n  - {name: b, file: b.jsonl, rows: all}\n', { out: 'exact' });
    expect(exactOnly.removed.map((x) => x.reason)).to.deep.equal(['duplicate', 'duplicate']);
  });

  it('drops and lists rows copied from synthetic evaluation texts, with benchmark and instance id', async () => {
    const evalQ = 'A farmer plants seventeen rows of corn in the northern field and twice as many rows of beans in the southern field; how many rows are there in total?';
    const texts: EvalText[] = [
      { benchmark: 'synth', instanceId: 'id3', field: 'input', text: evalQ },
      { benchmark: 'synth', instanceId: 'id3', field: 'reference', text: 'There are fifty one rows in total.' },
    ];
    const clean = distinctRows(6, 'c');
    dir.write('s.jsonl', jsonl([...clean.slice(0, 3), { prompt: `Q: ${evalQ}\nA:`, completion: ' 51' }, ...clean.slice(3)]));
    const r = await build(dir, 'sources:\n  - {name: s, file: s.jsonl, rows: all}\n', { evalTexts: { label: 'synthetic', texts } });
    expect(r.data).to.have.length(6);
    expect(r.removed).to.have.length(1);
    expect(r.removed[0]).to.deep.include({ source: 's', origin: { file: 's.jsonl', line: 4 }, reason: 'contaminated', benchmark: 'synth', instance_id: 'id3', eval_field: 'input', match: '13-gram' });
    expect(r.info.decontamination).to.deep.include({ suites: ['synthetic'], eval_instances: 1 });
    expect(r.info.sources[0].contaminated).to.equal(1);
  });

  it('catches rows copied from the real GSM8K test set through a suite (decontaminate: suite)', async function () {
    const data = requireSharedData(this, 'gsm8k/test.jsonl');
    const test = readFileSync(join(data, 'gsm8k/test.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { question: string; answer: string });
    const picked = [0, 100, 500, 1318];
    const leaked = picked.map((i) => ({ instruction: 'Solve the math word problem.', input: test[i].question, output: test[i].answer }));
    dir.write('leak.jsonl', jsonl([...distinctRows(4, 'clean'), ...leaked]));
    dir.write('gsm.conf', 'entries: [\n  {description: "gsm:model=neurips/local,max_eval_instances=5", priority: 1}\n]\n');
    const r = await build(dir, 'sources:\n  - {name: leak, file: leak.jsonl, rows: all}\ndecontaminate: {suite: gsm.conf}\n', { dataDir: data });
    expect(r.data).to.have.length(4);
    // GSM8K ids: train first (7,473), then test in file order.
    expect(r.removed.map((x) => (x.reason === 'contaminated' ? [x.benchmark, x.instance_id] : null))).to.deep.equal(picked.map((i) => ['gsm', `id${7473 + i}`]));
    expect(r.info.decontamination!.eval_instances).to.equal(1319);
    expect(r.info.inputs.map((i) => i.input)).to.include.members(['file:leak.jsonl', 'data:gsm8k/test.jsonl', 'data:gsm8k/train.jsonl']);
  });

  it('turns shares into exact row counts, errs when a source cannot supply its share, and takes the most the shares allow without total', async () => {
    dir.write('a.jsonl', jsonl(distinctRows(30, 'a')));
    dir.write('b.jsonl', jsonl(distinctRows(6, 'b')));
    dir.write('c.jsonl', jsonl(distinctRows(30, 'c')));
    const r = await build(dir, 'total: 10\nsources:\n  - {name: a, file: a.jsonl, share: 0.3333}\n  - {name: b, file: b.jsonl, share: 0.3333}\n  - {name: c, file: c.jsonl, share: 0.3334}\n');
    expect(r.info.sources.map((s) => s.written)).to.deep.equal([3, 3, 4]);
    const e = await buildError(dir, 'total: 20\nsources:\n  - name: a\n    file: a.jsonl\n    share: 0.5\n  - name: b\n    file: b.jsonl\n    share: 0.5\n');
    expect(e.message).to.match(/m\.yaml:8: source "b": share 0\.5 of total 20 asks 10 rows, but only 6 are left \(6 read\)/);
    const most = await build(dir, 'sources:\n  - {name: a, file: a.jsonl, share: 0.5}\n  - {name: b, file: b.jsonl, share: 0.5}\n', { out: 'most' });
    expect(most.info.sources.map((s) => s.written)).to.deep.equal([6, 6]);
    const tooMany = await buildError(dir, 'sources:\n  - {name: b, file: b.jsonl, rows: 7}\n');
    expect(tooMany.message).to.match(/m\.yaml:2: source "b": rows 7 asked, but only 6 are left/);
  });

  it('benchmark sources: mini_gsm train rows in the HELM prompt format the mini instruction data uses', async () => {
    const r = await build(dir, 'shuffle: false\nsources:\n  - {name: mini, benchmark: mini_gsm, rows: all}\n');
    const world = generateWorld(DEFAULT_MINI_SEED);
    const family = FAMILIES.find((f) => f.name === 'mini_gsm')!;
    const train = family.instances(world).filter((i) => i.split === 'train');
    expect(r.data).to.have.length(train.length);
    expect(r.data[0]).to.deep.equal({ ...zeroShotPair(family.spec(family.entryArgs(train[0])), train[0]), source: 'mini' });
    expect(r.lineage[0].origin).to.deep.equal({ benchmark: 'mini_gsm', run: 'mini_gsm:', instance_id: train[0].id, split: 'train' });
    // A multiple-choice family: the completion is the letter.
    const mc = await build(dir, 'shuffle: false\nsources:\n  - {name: mc, benchmark: "mini_mmlu:subject=geography", rows: 3}\n', { out: 'mc' });
    for (const row of mc.data) expect(row.completion).to.match(/^ [A-D]$/);
    expect(mc.data[0].prompt).to.match(/^The following are multiple choice questions \(with answers\) about geography\.\n\nQuestion: .*\nA\. .*\nAnswer:$/s);
    // A field mapping over a benchmark's record.
    const mapped = await build(dir, 'shuffle: false\nsources:\n  - name: m\n    benchmark: mini_gsm\n    rows: 2\n    fields: {prompt: "{input}", completion: " {answer}"}\n', { out: 'mapped' });
    expect(mapped.data[0].prompt).to.not.match(/^Q:/);
  });

  it('benchmark sources: real GSM8K train (7,473 rows, all English by the language filter) and bare "mmlu" = every subject\'s dev split', async function () {
    const data = requireSharedData(this, 'gsm8k/train.jsonl');
    const r = await build(dir, 'shuffle: false\nsources:\n  - {name: gsm, benchmark: gsm, rows: all, filters: {language: [eng]}}\n', { dataDir: data });
    expect(r.data).to.have.length(7473);
    expect(r.data[0].prompt).to.match(/^Q: Natalia sold clips/);
    expect(r.data[0].prompt).to.match(/\nA:$/);
    expect(r.data[0].completion).to.match(/^ Natalia sold .* The answer is 72\.$/);
    requireSharedData(this, 'mmlu/data/dev/anatomy_dev.csv');
    const m = await build(dir, 'shuffle: false\nsources:\n  - {name: mmlu, benchmark: mmlu, rows: all}\n', { dataDir: data, out: 'mmlu' });
    // 57 subjects × 5 dev questions; college_physics dev repeats one question (id3 = id0).
    expect(m.info.sources[0].read).to.equal(57 * 5);
    expect(m.data).to.have.length(57 * 5 - 1);
    expect(m.removed).to.have.length(1);
    expect(m.removed[0]).to.deep.include({ reason: 'duplicate', origin: { benchmark: 'mmlu', run: 'mmlu:subject=college_physics,method=multiple_choice_joint', instance_id: 'id3', split: 'train' } });
    expect(new Set(m.lineage.map((l) => (l.origin as { run: string }).run)).size).to.equal(57);
    expect(m.data[0].completion).to.match(/^ [A-D]$/);
  });

  it('a benchmark source whose data is missing names the source and the fetch command', async () => {
    const e = await buildError(dir, 'sources:\n  - {name: g, benchmark: gsm, rows: all}\n');
    expect(e.message).to.match(/source "g" \(.*m\.yaml:2\): .*gsm8k\/train\.jsonl not found; run `evalfirst data fetch gsm/);
  });
});
