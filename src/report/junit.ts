// JUnit XML as Jenkins' junit-10.xsd defines it: a testsuite per scenario, a testcase per
// step. XML is built with xmlbuilder2, which escapes; characters XML 1.0 cannot hold (ANSI
// escapes in captured output) are replaced rather than producing an unreadable report.
import { create } from 'xmlbuilder2';
import { countScenario, failingProblems, skippedWhole, type Reporter, type RunResult, type ScenarioResult, type StepOutcome } from '../runner/events.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

// XML 1.0 Char production: anything else (most C0 controls, lone surrogates) is replaced.
const INVALID_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const clean = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').replace(INVALID_XML, '\uFFFD');

export function renderJUnit(result: RunResult): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: 'certharness',
    tests: String(result.counts.tests),
    failures: String(result.counts.failed),
    errors: String(result.counts.errors),
    time: seconds(result.durationMs),
  });
  for (const s of result.scenarios) addSuite(root, s);
  return root.end({ prettyPrint: true }) + '\n';
}

type Node = ReturnType<ReturnType<typeof create>['ele']>;

function addSuite(root: Node, s: ScenarioResult): void {
  const c = countScenario(s);
  const suite = root.ele('testsuite', {
    name: clean(s.title),
    tests: String(c.tests),
    failures: String(c.failed),
    errors: String(c.errors),
    // JUnit has no todo: todo steps are written as skipped test cases.
    skipped: String(c.skipped + c.todo),
    time: seconds(s.durationMs),
    timestamp: s.startedAt.replace(/\.\d+Z$/, ''),
    file: s.file,
    id: s.id,
  });
  const props = suite.ele('properties');
  props.ele('property', { name: 'file', value: s.id });
  if (s.source) props.ele('property', { name: 'source', value: s.source });
  if (s.tags.length) props.ele('property', { name: 'tags', value: s.tags.join(',') });
  for (const [name, url] of Object.entries(s.targets ?? {})) props.ele('property', { name: `target.${name}`, value: url });
  if (s.workDir) props.ele('property', { name: 'workDir', value: s.workDir });
  for (const p of failingProblems(s)) {
    suite
      .ele('testcase', { name: clean(`${p.phase}${p.name ? ` ${p.name}` : ''}`), classname: clean(s.title), time: '0' })
      .ele('error', { type: p.phase, message: clean(p.message) })
      .txt(clean(p.at ? `${p.at.file}:${p.at.line}:${p.at.col}: ${p.message}` : p.message));
  }
  if (skippedWhole(s)) {
    suite.ele('testcase', { name: clean(s.title), classname: clean(s.title), time: '0' }).ele('skipped', { message: clean(s.skipReason ?? 'skipped') });
  }
  for (const st of s.steps) addCase(suite, s, st);
}

function addCase(suite: Node, s: ScenarioResult, st: StepOutcome): void {
  const tc = suite.ele('testcase', { name: clean(st.name), classname: clean(s.title), time: seconds(st.durationMs) });
  const failed = st.assertions.filter((a) => !a.ok);
  const where = st.at ? `\nat ${st.at.file}:${st.at.line}:${st.at.col}` : '';
  if (st.status === 'skipped') tc.ele('skipped', { message: clean(st.reason ?? 'skipped') });
  else if (st.status === 'todo') tc.ele('skipped', { message: clean(`TODO: ${st.reason ?? ''}${st.passedAnyway ? ' (passed)' : ''}`) });
  else if (st.status === 'failed') {
    const cause = st.cause ? `\ncause: ${st.cause}` : '';
    const body = failed.map((a) => `${a.path}: expected ${a.expected}\n  actual: ${JSON.stringify(a.actual)}`).join('\n') + cause + where;
    tc.ele('failure', { type: 'assertion', message: clean(failed.map((a) => a.message).join('; ') + (st.cause ? ` (cause: ${st.cause})` : '')) }).txt(clean(body));
  } else if (st.status === 'flaky') {
    for (const f of st.earlierFailures ?? []) tc.ele('flakyFailure', { type: 'assertion', message: clean(f) });
  }
  const out = st.result;
  if (out && (st.status === 'failed' || st.status === 'flaky')) {
    if (typeof out.stdout === 'string' && out.stdout) tc.ele('system-out').txt(clean(out.stdout));
    if (typeof out.stderr === 'string' && out.stderr) tc.ele('system-err').txt(clean(out.stderr));
  }
}

export class JUnitReporter implements Reporter {
  private readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  async onRunEnd(result: RunResult): Promise<void> {
    await writeFileAtomic(this.path, renderJUnit(result));
  }
}
