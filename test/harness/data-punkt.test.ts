// `data fetch punkt_tab`: nltk_data's punkt_tab.zip (here a synthetic stand-in with the same layout,
// served from 127.0.0.1) is downloaded, its English folder unpacked where the bias metrics read it,
// and its member pins report present-but-unverified (no checksum could be pinned).
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { REPO_ROOT } from '../helpers/shared-data.js';
import { fetchArchive } from '../../harness/data/archive.js';
import { pinsBySource } from '../../harness/data/sources.js';
import { PUNKT_TAB_DATA, PUNKT_TAB_ZIP_URL } from '../../tasks/text/punkt-data.js';
import { verifyPins } from '../../harness/data/verify.js';
import { loadEnglishPunkt } from '../../tasks/text/punkt-params.js';

describe('data fetch punkt_tab (nltk_data punkt_tab.zip)', function () {
  let server: Server | undefined;
  let work = '';
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is pinned to nltk_data\'s URL, unverified, and unpacks english/ into nltk/tokenizers/punkt_tab', async () => {
    const ARCHIVE = PUNKT_TAB_DATA.archive!;
    expect(ARCHIVE.archive.url).to.equal('https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/tokenizers/punkt_tab.zip');
    expect(ARCHIVE.archive.sha256).to.equal(null);
    const [[, pins]] = pinsBySource([PUNKT_TAB_DATA]);
    expect(pins!.map((p) => p.path)).to.deep.equal(['abbrev_types.txt', 'collocations.tab', 'sent_starters.txt', 'ortho_context.tab'].map((f) => `nltk/tokenizers/punkt_tab/english/${f}`));
    expect(pins![0]!.source).to.include(PUNKT_TAB_ZIP_URL);

    work = await mkdtemp(join(tmpdir(), 'evalfirst-punkt-fetch-'));
    const zip = await readFile(join(REPO_ROOT, 'test', 'fixtures', 'text', 'punkt_tab-synthetic.zip'));
    server = createServer((_req, res) => res.writeHead(200, { 'content-length': String(zip.length) }).end(zip));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/punkt_tab.zip`;
    expect(loadEnglishPunkt(work)).to.have.property('missing');
    const r = await fetchArchive({ ...ARCHIVE, archive: { ...ARCHIVE.archive, url } }, { dataDir: work, attempts: 1, log: () => undefined });
    expect(r.status, r.detail).to.not.equal('failed');
    expect(existsSync(join(work, 'nltk', 'tokenizers', 'punkt_tab', 'german'))).to.equal(false);
    const loaded = loadEnglishPunkt(work);
    expect(loaded).to.have.property('params');
    const rows = await verifyPins(work, pinsBySource([PUNKT_TAB_DATA]));
    expect(rows.map((x) => x.status)).to.deep.equal(['unverified', 'unverified', 'unverified', 'unverified']);
  });
});
