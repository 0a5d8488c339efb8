// Suite files: HELM's .conf (HOCON entries list) and plain one-entry-per-line lists.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSuites, loadSuite, parseSuiteText } from '../../tasks/suites/suite.js';
import { UserError } from '../../core/errors.js';

describe('suites', () => {
  it('loads a shipped suite by name, skipping commented-out entries', () => {
    const suite = loadSuite('example');
    expect(suite.name).to.equal('example');
    expect(suite.entries).to.deep.equal([
      'mmlu:subject=anatomy,model=neurips/local,data_augmentation=canonical,max_eval_instances=15',
      'mmlu:subject=philosophy,model=neurips/local,max_eval_instances=15',
      'gsm:model=neurips/local,max_eval_instances=5',
    ]);
    expect(listSuites()).to.include('example');
  });

  it('parses priorities, groups, = separators, quoted keys and a one-line list', () => {
    const text = [
      'entries: [{description: "a:x=1", priority: 2}, {"description" = "b:y=2,z=#3", groups: ["g1", "g2"]}',
      '  // {description: "c", priority: 1}',
      ']',
    ].join('\n');
    const entries = parseSuiteText(text, 'inline.conf');
    expect(entries.map((e) => e.description)).to.deep.equal(['a:x=1', 'b:y=2,z=#3']);
    expect(entries[0].priority).to.equal(2);
    expect(entries[1].priority).to.equal(1);
    expect(entries[1].groups).to.deep.equal(['g1', 'g2']);
  });

  it('reads a plain list file by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalfirst-suite-'));
    const file = join(dir, 'mine.txt');
    writeFileSync(file, '# my runs\nmmlu:subject=anatomy\n\n  gsm:max_eval_instances=3  # inline\n');
    const suite = loadSuite(file);
    expect(suite).to.deep.equal({ name: 'mine', entries: ['mmlu:subject=anatomy', 'gsm:max_eval_instances=3'] });
  });

  it('names file and line for malformed confs', () => {
    expect(() => parseSuiteText('entries: [\n  {description: "a", priority: 1}\n  {priority: 1}\n]', 'bad.conf')).to.throw(UserError, /bad\.conf:3: entry without a description/);
    expect(() => parseSuiteText('entries: [\n  {description: "a"\n', 'open.conf')).to.throw(UserError, /open\.conf:\d+: unterminated entry/);
    expect(() => parseSuiteText('entries: [\n  {description: "a", priority: high}\n]', 'p.conf')).to.throw(UserError, /p\.conf:2: priority must be an integer/);
    expect(() => parseSuiteText('entries: [\n  description: "a"\n]', 'x.conf')).to.throw(UserError, /x\.conf:2: expected '\{'/);
  });

  it('says which suites exist when a name is unknown', () => {
    expect(() => loadSuite('no_such_suite')).to.throw(UserError, /unknown suite 'no_such_suite' \(known: .*example/);
    expect(() => loadSuite('/nonexistent/dir/x.conf')).to.throw(UserError, /suite file not found/);
  });

  it('rejects a suite without entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalfirst-suite-'));
    const file = join(dir, 'empty.conf');
    writeFileSync(file, 'entries: [\n # nothing yet\n]\n');
    expect(() => loadSuite(file)).to.throw(UserError, /no run entries/);
  });
});
