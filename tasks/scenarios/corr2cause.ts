// corr2cause as the organisers ran it (perlitz/private-helm neurips_eval_good,
// corr2cause_scenario.py + get_corr2cause_spec): the gist corr2cause.csv (header, columns
// label,input), `random.seed(0); random.shuffle`, first int(0.8·N) train, the rest valid;
// references ["No", "Yes"], label 0 → "No", 1 → "Yes". Data layout: hidden/corr2cause.csv.
import { multipleChoiceJointSpec } from '../adapters/helm-specs.js';
import { groupFields, type RunEntryArgs, type RunGroup, type RunSpec, type Scenario, type ScenarioModule } from '../run-spec.js';
import { EXACT_MATCH, EXACT_MATCH_METRICS } from '../metrics/basic-metrics.js';
import { UserError } from '../../core/errors.js';
import { multipleChoiceMethod, rejectUnknownArgs } from './common/args.js';
import { expectFields, parseCsv, parseIntField, withoutHeader } from './common/csv.js';
import { dataFile, readDataText } from './common/files.js';
import { labelledInstances, type LabelledRow } from './common/labelled-csv.js';
import { pyStrip } from '../text/python-str.js';
import { unverifiedPin, type DataSource } from '../data-source.js';

export const CORR2CAUSE_FILE = 'hidden/corr2cause.csv';

/** The organisers' gist (corr2cause_scenario.py); a gist revision, but no copy to hash. */
export const CORR2CAUSE_DATA: DataSource = {
  name: 'corr2cause',
  pins: [unverifiedPin(CORR2CAUSE_FILE, 'https://gist.githubusercontent.com/msaroufim/2835e9a27490bb183de86c54c0614169/raw/4160842cd2574716355a5fe9134387a20baed9f8/corr2cause.csv')],
};

export function parseCorr2Cause(text: string, file: string): LabelledRow[] {
  return withoutHeader(parseCsv(text, file), file).map((row) => {
    const [label, input] = expectFields(row, 2, file, 'label,input');
    const n = parseIntField(label, row, file, 'label');
    if (n !== 0 && n !== 1) throw new UserError(`${file}:${row.line}: label must be 0 or 1, got ${label}`);
    return { label: n, input: pyStrip(input) };
  });
}

export function corr2causeScenario(): Scenario {
  return {
    name: 'corr2cause',
    files: () => [CORR2CAUSE_FILE],
    async load(dataDir) {
      const rows = parseCorr2Cause(await readDataText(dataDir, CORR2CAUSE_FILE, 'corr2cause'), dataFile(dataDir, CORR2CAUSE_FILE));
      return labelledInstances(rows, { seed: 0, trainRatio: 0.8, labelWords: ['No', 'Yes'] });
    },
  };
}

export const CORR2CAUSE_GROUP: RunGroup = { name: 'corr2cause', title: 'corr2cause', mainMetric: EXACT_MATCH, mainSplit: 'valid' };

export const scenarioModule: ScenarioModule = {
  name: 'corr2cause',
  runGroups: [CORR2CAUSE_GROUP],
  data: CORR2CAUSE_DATA,
  runSpecs(args: RunEntryArgs): RunSpec[] {
    rejectUnknownArgs(args, 'corr2cause', ['method']); // get_corr2cause_spec(method)
    multipleChoiceMethod(args, 'corr2cause');
    return [
      {
        name: 'corr2cause,method=multiple_choice_joint',
        scenario: corr2causeScenario(),
        adapterSpec: multipleChoiceJointSpec({
          instructions: '\nGiven a scenario with a premise and a hypothesis, determine if the hypothesis can be inferred from the premise.\n',
          // HELM passes input_noun="Scenario\n", so the input prefix is literally "Scenario\n: ".
          inputNoun: 'Scenario\n',
          outputNoun: 'Answer',
          maxTokens: 1,
        }),
        metrics: EXACT_MATCH_METRICS,
        ...groupFields(CORR2CAUSE_GROUP),
        dataAugmentation: null,
      },
    ];
  },
};
