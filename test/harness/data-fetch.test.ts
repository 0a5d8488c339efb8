// `data fetch` against a local HTTP server (node:http on 127.0.0.1): verified download, no
// re-download of a verified file, resume of a partial download with a Range request, checksum
// mismatch, retry after a 503, and the CLI end to end.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fetchPin, fetchPins } from '../../harness/data/fetch.js';
import type { FilePin } from '../../tasks/data-source.js';
import { runCli } from '../helpers/run-cli.js';

interface Served {
  body: Buffer;
  /** Respond 503 to this many requests first. */
  failFirst?: number;
  /** Cut the connection after this many bytes (once). */
  cutAfter?: number;
  /** Ignore Range headers (answer 200 with the whole body). */
  noRanges?: boolean;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('data fetch (local HTTP server)', function () {
  let server: Server;
  let base = '';
  let dataDir = '';
  const files = new Map<string, Served>();
  const requests: { path: string; range?: string }[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const f = files.get(req.url ?? '');
      requests.push({ path: req.url ?? '', range: req.headers.range });
      if (!f) {
        res.writeHead(404).end('not found');
        return;
      }
      if (f.failFirst && f.failFirst > 0) {
        f.failFirst--;
        res.writeHead(503).end('busy');
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = m && !f.noRanges ? Number(m[1]) : 0;
      if (start >= f.body.length && m && !f.noRanges) {
        res.writeHead(416).end();
        return;
      }
      const chunk = f.body.subarray(start);
      res.writeHead(start > 0 ? 206 : 200, { 'content-length': String(chunk.length) });
      if (f.cutAfter !== undefined) {
        const cut = f.cutAfter;
        f.cutAfter = undefined;
        res.write(chunk.subarray(0, cut), () => res.destroy());
        return;
      }
      res.end(chunk);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'evalfirst-fetch-'));
    files.clear();
    requests.length = 0;
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const pinFor = (name: string, body: Buffer, extra: Partial<FilePin> = {}): FilePin => ({
    path: `bench/${name}`,
    url: `${base}/${name}`,
    sha256: sha256(body),
    bytes: body.length,
    ...extra,
  });

  it('downloads, verifies, and never downloads a verified file again', async () => {
    const body = Buffer.from('{"question": "q"}\n'.repeat(100));
    files.set('/a.jsonl', { body });
    const pin = pinFor('a.jsonl', body);
    expect((await fetchPin(pin, { dataDir })).status).to.equal('downloaded');
    expect(await readFile(join(dataDir, 'bench/a.jsonl'))).to.deep.equal(body);
    expect((await fetchPin(pin, { dataDir })).status).to.equal('present');
    expect(requests).to.have.length(1);
  });

  it('resumes a partial download: Range request from the .part size, appended, verified', async () => {
    const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
    files.set('/big.txt', { body });
    await mkdir(join(dataDir, 'bench'), { recursive: true });
    await writeFile(join(dataDir, 'bench/big.txt.part'), body.subarray(0, 1234)); // an earlier, interrupted run
    expect((await fetchPin(pinFor('big.txt', body), { dataDir })).status).to.equal('downloaded');
    expect(requests.map((r) => r.range)).to.deep.equal(['bytes=1234-']);
    expect(await readFile(join(dataDir, 'bench/big.txt'))).to.deep.equal(body);
    expect(existsSync(join(dataDir, 'bench/big.txt.part'))).to.equal(false);
  });

  it('a connection cut mid-body fails, keeps the .part, and the next fetch completes it', async () => {
    const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => String.fromCharCode(65 + (i % 26))).join(''));
    files.set('/cut.txt', { body, cutAfter: 1200 });
    const pin = pinFor('cut.txt', body);
    const first = await fetchPin(pin, { dataDir, attempts: 1 });
    expect(first.status).to.equal('failed');
    expect(first.detail).to.match(/partial download kept in .*cut\.txt\.part/);
    const kept = existsSync(join(dataDir, 'bench/cut.txt.part')) ? (await stat(join(dataDir, 'bench/cut.txt.part'))).size : 0;
    expect(kept).to.be.lessThan(body.length);
    expect((await fetchPin(pin, { dataDir, attempts: 1 })).status).to.equal('downloaded');
    // How much of the cut body reached the disk depends on timing; the resume asks for the rest.
    expect(requests[1].range).to.equal(kept > 0 ? `bytes=${kept}-` : undefined);
    expect(await readFile(join(dataDir, 'bench/cut.txt'))).to.deep.equal(body);
  });

  it('restarts cleanly when the server ignores Range', async () => {
    const body = Buffer.from('x'.repeat(3000) + 'y'.repeat(3000));
    files.set('/norange.txt', { body, noRanges: true });
    await mkdir(join(dataDir, 'bench'), { recursive: true });
    await writeFile(join(dataDir, 'bench/norange.txt.part'), body.subarray(0, 1000));
    expect((await fetchPin(pinFor('norange.txt', body), { dataDir })).status).to.equal('downloaded');
    expect(await readFile(join(dataDir, 'bench/norange.txt'))).to.deep.equal(body);
  });

  it('a checksum mismatch fails, names the URL and both digests, and leaves no file', async () => {
    const body = Buffer.from('tampered\n');
    files.set('/bad.csv', { body });
    const pin = pinFor('bad.csv', body, { sha256: sha256(Buffer.from('original\n')) });
    const r = await fetchPin(pin, { dataDir });
    expect(r.status).to.equal('failed');
    expect(r.detail).to.include(`${base}/bad.csv`).and.include(sha256(body)).and.include(pin.sha256!);
    expect(existsSync(join(dataDir, 'bench/bad.csv'))).to.equal(false);
    expect(existsSync(join(dataDir, 'bench/bad.csv.part'))).to.equal(false);
  });

  it('replaces a present file that fails its checksum', async () => {
    const body = Buffer.from('good\n');
    files.set('/fix.txt', { body });
    await mkdir(join(dataDir, 'bench'), { recursive: true });
    await writeFile(join(dataDir, 'bench/fix.txt'), 'corrupt\n');
    expect((await fetchPin(pinFor('fix.txt', body), { dataDir })).status).to.equal('downloaded');
    expect(await readFile(join(dataDir, 'bench/fix.txt'), 'utf8')).to.equal('good\n');
  });

  it('retries after HTTP 503, verifies by git blob id, and keeps an unverifiable present file', async () => {
    const body = Buffer.from('blob content\n');
    files.set('/blob.jsonl', { body, failFirst: 2 });
    const gitBlobSha1 = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
    const lines: string[] = [];
    const results = await fetchPins(
      [
        { path: 'bench/blob.jsonl', url: `${base}/blob.jsonl`, sha256: null, gitBlobSha1, bytes: null },
        { path: 'bench/missing.txt', url: `${base}/missing.txt`, sha256: null, bytes: null },
      ],
      { dataDir, retryDelayMs: 1, log: (l) => lines.push(l) },
    );
    expect(results.map((r) => r.status)).to.deep.equal(['downloaded', 'failed']);
    expect(results[1].detail).to.include('HTTP 404');
    expect(lines.filter((l) => l.includes('retry'))).to.have.length(2);
    await writeFile(join(dataDir, 'bench/local.txt'), 'mine');
    const kept = await fetchPin({ path: 'bench/local.txt', url: `${base}/local.txt`, sha256: null, bytes: null }, { dataDir });
    expect(kept.status).to.equal('present-unverified');
  });

  it('CLI: `data fetch gsm` with the pinned hosts unreachable exits 1 naming the failed files', function () {
    // No internet here: the pinned hosts are unreachable, so the command must fail cleanly,
    // name the files, and keep going through all of them.
    const r = runCli(['data', 'fetch', 'gsm', '--data-dir', dataDir, '--attempts', '1'], { timeoutMs: 60_000 });
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include('gsm8k/train.jsonl').and.include('gsm8k/test.jsonl');
    expect(r.stderr).to.match(/2 file\(s\) failed/);
    expect(r.stderr).to.not.match(/\n\s+at /); // a user error: no stack trace
  });

  it('CLI: an unknown benchmark is a user error listing the known ones', function () {
    const r = runCli(['data', 'fetch', 'nope', '--data-dir', dataDir]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include("unknown benchmark 'nope'").and.include('truthful_qa');
  });
});
