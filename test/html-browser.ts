// The HTML report in a real browser (Debian's chromium-headless-shell, driven by playwright-core):
// what a person sees agrees with the JSON report. Used by html-report.test.ts on the fixtures and
// by CI on the bundled suite's report (node dist/test/html-browser.js DIR RUN.json [SHOT.png]).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { which } from '../src/runtime/index.ts';
import type { RunResult } from '../src/runner/events.ts';

export const BROWSER = 'chromium-headless-shell';

export interface BrowserCheck {
  /** What is wrong, one line each; empty when the page agrees. */
  problems: string[];
  /** The run's counts line as the browser shows it. */
  countsShown: string;
}

/** Opens DIR/index.html with JavaScript on and off, compares it with the run, and screenshots the overview. */
export async function checkReportInBrowser(dir: string, run: RunResult, screenshot?: string): Promise<BrowserCheck> {
  const executablePath = which(BROWSER);
  if (!executablePath) throw new Error(`${BROWSER} not found: apt-get install ${BROWSER}`);
  // Every name resolves nowhere: the page must need nothing but itself.
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND'] });
  const problems: string[] = [];
  try {
    const url = pathToFileURL(join(dir, 'index.html')).href;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => void (r.url().startsWith('file:') ? undefined : requests.push(r.url())));
    await page.goto(url);
    const countsShown = await page.locator('#run-counts').innerText();
    for (const k of ['passed', 'failed', 'errors', 'skipped', 'todo', 'flaky'] as const) {
      if (!countsShown.includes(`${run.counts[k]} ${k}`)) problems.push(`the page shows "${countsShown}", the run has ${run.counts[k]} ${k}`);
    }
    const rows = await page.locator('tr.scenario-row').count();
    if (rows !== run.scenarios.length) problems.push(`${rows} rows for ${run.scenarios.length} scenarios`);
    if (screenshot) await page.screenshot({ path: screenshot });
    problems.push(...(await failuresShown(page, run)), ...(await filterWorks(page, run)), ...(await pkiDrawn(page, run)));
    if (requests.length) problems.push(`the page fetched ${requests.join(', ')}`);
    const plain = await browser.newPage({ javaScriptEnabled: false });
    await plain.goto(url);
    if ((await plain.locator('tr.scenario-row').count()) !== run.scenarios.length) problems.push('without JavaScript the overview is not whole');
    return { problems, countsShown };
  } finally {
    await browser.close();
  }
}

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launch>>['newPage']>>;

/** Each failed step of a failed scenario is visible, with the message of the expectation it missed. */
async function failuresShown(page: Page, run: RunResult): Promise<string[]> {
  const problems: string[] = [];
  for (const s of run.scenarios.filter((x) => x.status === 'failed')) {
    for (const st of s.steps.filter((x) => x.status === 'failed')) {
      const message = st.assertions.find((a) => !a.ok)?.message ?? st.cause;
      if (!message) continue;
      const shown = page.locator('li.step.failed', { hasText: st.name }).filter({ hasText: message.slice(0, 80) });
      if (!(await shown.first().isVisible())) problems.push(`${s.id}: the failure of "${st.name}" is not shown with "${message.slice(0, 80)}"`);
    }
  }
  return problems;
}

/** Each scenario with certificates, once opened, shows a picture with a row for each. */
async function pkiDrawn(page: Page, run: RunResult): Promise<string[]> {
  const problems: string[] = [];
  for (const s of run.scenarios.filter((x) => x.pki?.length)) {
    const section = page.locator(`section.scenario[id="s-${s.id.replace(/[^A-Za-z0-9_-]/g, '-')}"]`);
    await section.locator('details').first().evaluate((e) => ((e as HTMLDetailsElement).open = true));
    const svg = section.locator('svg.pki');
    if (!(await svg.isVisible())) problems.push(`${s.id}: no PKI picture`);
    else if ((await svg.locator('g.cert').count()) !== s.pki!.length) problems.push(`${s.id}: ${await svg.locator('g.cert').count()} certificates drawn of ${s.pki!.length}`);
    problems.push(...(await certificateLinkHighlights(section, s.id)));
    // The mTLS upstream's picture: the CA, the server it presents and the client it lets in.
    if (s.id.endsWith('001-mtls-upstream.yaml')) {
      const drawn = await svg.locator('g.cert').evaluateAll((gs) => gs.map((g) => (g as SVGElement).dataset.cert));
      for (const name of ['ca', 'server', 'client']) if (!drawn.includes(name)) problems.push(`${s.id}: ${name} is not drawn (${drawn.join(', ')})`);
    }
  }
  return problems;
}

/** A step's certificate link highlights that certificate's row and opens the decoded list. */
async function certificateLinkHighlights(section: ReturnType<Page['locator']>, id: string): Promise<string[]> {
  const link = section.locator('p.certs a.cert-link').first();
  if (!(await link.count())) return [];
  const name = await link.getAttribute('data-cert');
  await link.click();
  const lit = await section.locator('svg.pki g.hl').evaluateAll((gs) => gs.map((g) => (g as SVGElement).dataset.cert));
  const problems = lit.length === 1 && lit[0] === name ? [] : [`${id}: the link to ${name} highlights ${JSON.stringify(lit)}`];
  if (!(await section.locator('details.pki-details').evaluate((d) => (d as HTMLDetailsElement).open))) problems.push(`${id}: the link to ${name} leaves the decoded list closed`);
  return problems;
}

/** Unticking "passed" hides the passed scenarios, and a keyboard can open a scenario. */
async function filterWorks(page: Page, run: RunResult): Promise<string[]> {
  const passed = run.scenarios.filter((s) => s.status === 'passed').length;
  if (!passed) return [];
  await page.getByLabel('passed', { exact: true }).uncheck();
  const visible = await page.locator('tr.scenario-row:visible').count();
  await page.getByLabel('passed', { exact: true }).check();
  const problems = visible === run.scenarios.length - passed ? [] : [`with passed unticked, ${visible} rows show, not ${run.scenarios.length - passed}`];
  // A handle, not a locator: once open, the summary no longer matches the selector that found it.
  const closed = await page.locator('section.scenario details:not([open]) > summary').first().elementHandle();
  if (closed) {
    await closed.focus();
    await page.keyboard.press('Enter');
    if (!(await closed.evaluate((e) => (e.parentElement as HTMLDetailsElement).open))) problems.push('Enter on a scenario does not open it');
  }
  return problems;
}

// CI: node dist/test/html-browser.js <report-dir> <run.json> [screenshot.png]
if (process.argv[1]?.endsWith('html-browser.js')) {
  const [dir, json, shot] = process.argv.slice(2);
  const run = JSON.parse(readFileSync(json!, 'utf8')) as RunResult;
  const r = await checkReportInBrowser(dir!, run, shot);
  for (const p of r.problems) console.log(`html report: ${p}`);
  console.log(`html report in ${BROWSER}: ${r.countsShown}${r.problems.length ? '' : ' (as in the JSON report)'}`);
  process.exitCode = r.problems.length ? 1 : 0;
}
