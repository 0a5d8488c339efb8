// One JUnit XML document (the shape CI systems read: GitLab, Jenkins, GitHub test reporters):
// <testsuites> with one <testsuite> of test cases, each passing, failed (<failure>), skipped
// (<skipped>) or carrying output (<system-out>). Shared by the gate, eval and compare reports.
import { XMLBuilder } from 'fast-xml-parser';
import { xmlSafe } from './xml-text.js';

export interface JUnitCase {
  name: string;
  classname: string;
  failure?: { message: string; body: string; type: string };
  skipped?: string;
  out?: string;
}

export interface JUnitSuite {
  /** The <testsuites> name, e.g. "evalfirst gate". */
  title: string;
  /** The <testsuite> name. */
  name: string;
  /** Seconds the whole suite took, when known. */
  seconds?: number;
  /** <properties> of the suite (name → value). */
  properties?: Record<string, string>;
  cases: JUnitCase[];
}

export function renderJUnit(s: JUnitSuite): string {
  const failures = s.cases.filter((c) => c.failure).length;
  const skipped = s.cases.filter((c) => c.skipped !== undefined).length;
  const testcase = s.cases.map((c) => ({
    '@_name': xmlSafe(c.name),
    '@_classname': xmlSafe(c.classname),
    ...(c.failure ? { failure: { '@_message': xmlSafe(c.failure.message), '@_type': c.failure.type, '#text': xmlSafe(c.failure.body) } } : {}),
    ...(c.skipped !== undefined ? { skipped: { '@_message': xmlSafe(c.skipped) } } : {}),
    ...(c.out ? { 'system-out': xmlSafe(c.out) } : {}),
  }));
  const properties = Object.entries(s.properties ?? {}).map(([name, value]) => ({ '@_name': xmlSafe(name), '@_value': xmlSafe(value) }));
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': xmlSafe(s.title),
      '@_tests': s.cases.length,
      '@_failures': failures,
      '@_skipped': skipped,
      testsuite: {
        '@_name': xmlSafe(s.name),
        '@_tests': s.cases.length,
        '@_failures': failures,
        '@_errors': 0,
        '@_skipped': skipped,
        ...(s.seconds !== undefined ? { '@_time': s.seconds.toFixed(3) } : {}),
        ...(properties.length ? { properties: { property: properties } } : {}),
        testcase,
      },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true }).build(doc);
}
