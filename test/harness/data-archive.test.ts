// Archive benchmarks: a data.tar laid out like Berkeley's (data/{dev,val,test}/...) served from
// 127.0.0.1 is downloaded, unpacked into mmlu/, and every MMLU member then verifies against its pin.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { requireSharedData } from '../helpers/shared-data.js';
import { fetchArchive } from '../../harness/data/archive.js';
import { pinsBySource, selectSources } from '../../harness/data/sources.js';
import { DATA_SOURCES } from '../../harness/commands/data.js';
import { MMLU_DATA } from '../../tasks/scenarios/mmlu.js';
import { verifyExitCode, verifyPins } from '../../harness/data/verify.js';

describe('data fetch of an archive benchmark (MMLU data.tar)', function () {
  let server: Server | undefined;
  let work = '';
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('downloads data.tar once, unpacks dev/val/test, and all 171 member pins verify', async function () {
    const shared = requireSharedData(this, 'mmlu');
    work = await mkdtemp(join(tmpdir(), 'evalfirst-archive-'));
    const src = join(work, 'src');
    await mkdir(join(src, 'data'), { recursive: true });
    for (const split of ['dev', 'val', 'test']) await cp(join(shared, 'mmlu/data', split), join(src, 'data', split), { recursive: true });
    await mkdir(join(src, 'data', 'auxiliary_train'));
    execFileSync('tar', ['-cf', join(work, 'data.tar'), '-C', src, 'data']);
    const tarBytes = await readFile(join(work, 'data.tar'));
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-length': String(tarBytes.length) }).end(tarBytes);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.tar`;
    const spec = { ...MMLU_DATA.archive!, archive: { ...MMLU_DATA.archive!.archive, url } };
    const dataDir = join(work, 'datadir');

    const r = await fetchArchive(spec, { dataDir });
    expect(r.status).to.equal('downloaded-unverified');
    const rows = await verifyPins(dataDir, pinsBySource(selectSources(['mmlu'], DATA_SOURCES)));
    expect(rows.filter((x) => x.status === 'ok')).to.have.length(171);
    expect(verifyExitCode(rows)).to.equal(0);

    const again = await fetchArchive(spec, { dataDir });
    expect(again.status).to.equal('present-unverified');
    expect(requests).to.equal(1);
  });
});
