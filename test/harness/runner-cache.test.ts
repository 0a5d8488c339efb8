import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestCache } from '../../harness/runner/cache.js';
import { defaultCachePath } from '../../core/paths.js';
import type { Completion } from '../../core/request.js';

const completion = (text: string): Completion => ({ text, logprob: -0.5, tokens: [{ text, logprob: -0.5, topLogprobs: { [text]: -0.5 } }], requestTime: 0.01 });

describe('runner request cache (SQLite)', () => {
  it('returns what was put, before and after its batched write, and across reopening', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'evalfirst-cache-')), 'sub', 'c.sqlite');
    const c = new RequestCache(path);
    expect(c.get('k1')).to.equal(undefined);
    c.put('k1', 'neurips:http://x', '{"prompt":"p"}', completion(' A'));
    c.putTokenizerCall('t1', [1, 2, 3]);
    expect(c.get('k1')).to.deep.equal(completion(' A'));
    expect(c.getTokenizerCall('t1')).to.deep.equal([1, 2, 3]);
    expect(c.count()).to.equal(1);
    c.close();
    const again = new RequestCache(path);
    expect(again.get('k1')).to.deep.equal(completion(' A'));
    expect(again.getTokenizerCall('t1')).to.deep.equal([1, 2, 3]);
    for (let i = 0; i < 300; i++) again.put(`k${i + 2}`, 'b', '{}', completion(String(i)));
    expect(again.count()).to.equal(301);
    again.close();
  });

  it('names a file that is not a cache database and suggests --no-cache', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'evalfirst-cache-')), 'bad.sqlite');
    writeFileSync(path, 'this is not sqlite at all, just text that is long enough to be a header........');
    expect(() => new RequestCache(path)).to.throw(/cannot open the request cache .*bad\.sqlite.*--no-cache/);
  });

  it('lives under $EVALFIRST_CACHE, else the user cache folder', () => {
    expect(defaultCachePath({ EVALFIRST_CACHE: '/c/x.sqlite' })).to.equal('/c/x.sqlite');
    expect(defaultCachePath({ XDG_CACHE_HOME: '/xdg' })).to.equal('/xdg/evalfirst/requests.sqlite');
  });
});
