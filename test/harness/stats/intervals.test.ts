import { expect } from 'chai';
import { wilsonInterval, normalInterval, zForLevel, normalQuantile } from '../../../harness/stats/intervals.js';

describe('stats: closed-form intervals', () => {
  it('z for 95 % is 1.959964', () => {
    expect(zForLevel(0.95)).to.be.closeTo(1.959963985, 1e-6);
    expect(normalQuantile(0.001)).to.be.closeTo(-3.090232306, 1e-6);
  });
  it('Wilson 0/10 and 8/10 match R prop.test(correct=FALSE) / statsmodels proportion_confint(method="wilson")', () => {
    const a = wilsonInterval(0, 10);
    expect(a.low).to.be.closeTo(0, 1e-12);
    expect(a.high).to.be.closeTo(0.2775328, 1e-6);
    const b = wilsonInterval(8, 10);
    expect(b.low).to.be.closeTo(0.4901625, 1e-6);
    expect(b.high).to.be.closeTo(0.9433178, 1e-6);
  });
  it('normal interval is mean ± 1.96·se', () => {
    const i = normalInterval(0.5, 0.1);
    expect(i.low).to.be.closeTo(0.5 - 0.1959964, 1e-6);
    expect(i.high).to.be.closeTo(0.5 + 0.1959964, 1e-6);
  });
});
