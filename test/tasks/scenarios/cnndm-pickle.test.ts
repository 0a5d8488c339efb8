// CNN/DM from HELM's own pickle format (cnndm.pk: {split: [{article, highlights, id}]}).
import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarioModule as cnndm } from '../../../tasks/scenarios/summarization-cnndm.js';

// pickle.dumps(d, protocol=4) in CPython 3.11 of
// {'train': [{'article': ' '.join(['w']*60) + '\n\nend', 'highlights': 'One.\nTwo.', 'id': 't0'},
//            {'article': 'too short', 'highlights': 'short', 'id': 't1'}],
//  'validation': [{'article': 'v\u00a01 é\nv2', 'highlights': 'V.', 'id': 'v0'}],
//  'test': [{'article': 'x  y\tz', 'highlights': 'X.', 'id': 'x0'}]}
const PICKLE_B64 =
  'gASVPAEAAAAAAAB9lCiMBXRyYWlulF2UKH2UKIwHYXJ0aWNsZZSMfHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3IHcgdyB3CgplbmSUjApoaWdobGlnaHRzlIwJT25lLgpUd28ulIwCaWSUjAJ0MJR1fZQoaASMCXRvbyBzaG9ydJRoBowFc2hvcnSUaAiMAnQxlHVljAp2YWxpZGF0aW9ulF2UfZQoaASMCnbCoDEgw6kKdjKUaAaMAlYulGgIjAJ2MJR1YYwEdGVzdJRdlH2UKGgEjAZ4ICB5CXqUaAaMAlgulGgIjAJ4MJR1YXUu';

describe('summarization_cnndm from HELM\'s cnndm.pk', function () {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evalfirst-cnndm-'));
    await mkdir(join(dir, 'cnndm'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the pickle (preferred over JSONL), cleans, filters train by length', async () => {
    await writeFile(join(dir, 'cnndm/cnndm.pk'), Buffer.from(PICKLE_B64, 'base64'));
    const [spec] = cnndm.runSpecs({});
    expect(await spec.scenario.files(dir)).to.deep.equal(['cnndm/cnndm.pk']);
    const inst = await spec.scenario.load(dir);
    expect(inst.map((i) => [i.id, i.split, i.input, i.references[0].text])).to.deep.equal([
      ['id0', 'train', `${Array(60).fill('w').join(' ')} end`, 'One. Two.'],
      ['id1', 'valid', 'v 1 é v2', 'V.'],
      ['id2', 'test', 'x y z', 'X.'],
    ]);
  });

  it('a file that is not a pickle of the expected shape names the file', async () => {
    await writeFile(join(dir, 'cnndm/cnndm.pk'), Buffer.from('not a pickle'));
    let message = '';
    await cnndm.runSpecs({})[0].scenario.load(dir).catch((e: Error) => (message = e.message));
    expect(message).to.include('cnndm/cnndm.pk');
  });
});
