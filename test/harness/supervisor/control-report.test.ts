// The checkpoint report's save_s: validated by the control endpoint, sent by the TypeScript client.
import { expect } from 'chai';
import { parseReport, startControlServer, type CheckpointReport } from '../../../harness/supervisor/control-server.js';
import { controlClientFromEnv } from '../../../harness/supervisor/control-client.js';

describe('control endpoint: save_s', () => {
  it('accepts a non-negative number of seconds, or none', () => {
    expect(parseReport('{"step": 3, "path": "/c/3", "save_s": 0.75}')).to.deep.equal({ step: 3, path: '/c/3', serving_url: undefined, save_s: 0.75 });
    expect(parseReport('{"step": 3, "path": "/c/3"}')).to.not.have.property('save_s');
    expect(parseReport('{"step": 3, "path": "/c/3", "save_s": null}')).to.not.have.property('save_s'); // the callback's None
  });

  it('refuses a negative, non-finite or non-numeric save_s, naming the field', () => {
    for (const bad of ['-1', '"1.5"', 'true', '1e999']) {
      expect(parseReport(`{"step": 3, "path": "/c/3", "save_s": ${bad}}`)).to.match(/^"save_s" must be a non-negative number of seconds, got /);
    }
  });

  it("the TypeScript client (evalfirst finetune's) reports it", async () => {
    const seen: CheckpointReport[] = [];
    const server = await startControlServer({ onCheckpoint: async (r) => (seen.push(r), { action: 'continue' }), status: () => ({}) });
    try {
      const client = controlClientFromEnv({ EVALFIRST_CONTROL_URL: server.url, EVALFIRST_CONTROL_TOKEN: server.token })!;
      expect(await client.report(10, '/c/10', undefined, 0.42)).to.equal('continue');
      expect(seen).to.deep.equal([{ step: 10, path: '/c/10', serving_url: undefined, save_s: 0.42 }]);
    } finally {
      await server.close();
    }
  });
});
