import { expect } from 'chai';
import { defaultRunDir } from '../../core/run-dir.js';

describe('core/run-dir names', () => {
  it('keep milliseconds and a random suffix, so runs started together never share a folder', () => {
    const now = new Date('2026-11-28T10:40:11.123Z');
    expect(defaultRunDir(now, 'runs', 'train', 'beef')).to.equal('runs/train-2026-11-28T10-40-11.123Z-beef');
    expect(defaultRunDir(now, 'runs')).to.match(/^runs\/2026-11-28T10-40-11\.123Z-[0-9a-f]{4}$/);
    const names = new Set(Array.from({ length: 200 }, () => defaultRunDir(now)));
    expect(names.size).to.be.greaterThan(190); // 16 random bits each: a handful of collisions in 200 at most
    expect(defaultRunDir(now)).to.not.contain(':');
  });
});
