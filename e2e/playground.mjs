#!/usr/bin/env node
// playground.mjs checks the GraphiQL page in a real browser, offline.
//
//   node e2e/playground.mjs URL SCREENSHOT_PATH [EXPECT_TEXT...]
//
// It opens URL in Debian's headless Chromium (a fresh profile, so GraphiQL
// has no saved tabs and shows the server's default query), waits for GraphiQL
// to render, runs the query in the editor, waits until the result pane holds
// every EXPECT_TEXT and saves a full-page screenshot to SCREENSHOT_PATH.
//
// It fails (exit 1, with the reason, the page's console errors and the
// requests it made) if the page asks for anything from a host that is not
// loopback (such requests are blocked), if a same-host request fails or gets
// an HTTP error, if a script throws, if the Content-Security-Policy blocks
// anything, or if a step does not finish in time. Everything is bounded by
// TOTAL_TIMEOUT_MS. Set PODCAST_CHROMIUM to use another Chromium binary.

import { chromium } from 'playwright-core';

const TOTAL_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 20_000;
const CHROMIUM = process.env.PODCAST_CHROMIUM || '/usr/bin/chromium';

const [url, screenshotPath, ...expectTexts] = process.argv.slice(2);
if (!url || !screenshotPath) {
  console.error('usage: node e2e/playground.mjs URL SCREENSHOT_PATH [EXPECT_TEXT...]');
  process.exit(2);
}

const requests = []; // "STATUS METHOD URL" for each request the page made
const blocked = []; // non-loopback URLs the page asked for
const problems = []; // failed loads, HTTP errors, page errors, CSP violations
const consoleErrors = [];

// isLoopback reports whether a URL's host is this machine.
function isLoopback(u) {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

// isNetwork reports whether a URL would go to the network (data:, blob: and
// about: URLs do not).
function isNetwork(u) {
  return ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol);
}

let browser;
let page;

// finish prints the outcome, closes the browser and exits.
async function finish(failure) {
  clearTimeout(deadline);
  if (failure && page) {
    try {
      await page.screenshot({ path: screenshotPath, fullPage: true, timeout: 5_000 });
      console.error(`screenshot of the failure: ${screenshotPath}`);
    } catch {
      // The page may be gone; the reason below matters more.
    }
  }
  const out = failure ? console.error : console.log;
  out(`requests made by the page (${requests.length}):`);
  for (const r of requests) out(`  ${r}`);
  if (blocked.length > 0) {
    out(`blocked requests to non-loopback hosts (${blocked.length}):`);
    for (const b of blocked) out(`  ${b}`);
  }
  if (consoleErrors.length > 0) {
    out(`console errors (${consoleErrors.length}):`);
    for (const e of consoleErrors) out(`  ${e}`);
  }
  if (browser) await browser.close().catch(() => {});
  if (failure) {
    console.error(`FAIL: ${failure}`);
    process.exit(1);
  }
  console.log(`ok: GraphiQL ran the query; screenshot: ${screenshotPath}`);
  process.exit(0);
}

const deadline = setTimeout(() => {
  finish(`timed out after ${TOTAL_TIMEOUT_MS / 1000} s`);
}, TOTAL_TIMEOUT_MS);

// step runs fn and turns its error into a failure naming the step.
async function step(name, fn) {
  try {
    return await fn();
  } catch (err) {
    await finish(`${name}: ${String(err && err.message ? err.message : err).split('\n')[0]}`);
  }
}

// checkProblems fails if anything went wrong in the page so far.
async function checkProblems(when) {
  if (blocked.length > 0) {
    await finish(`${when}: the page asked for ${blocked.length} non-loopback URL(s), first ${blocked[0]}`);
  }
  if (problems.length > 0) {
    await finish(`${when}: ${problems.join('; ')}`);
  }
}

await step('launch Chromium', async () => {
  // launch() (not launchPersistentContext) gives Chromium a new temporary
  // user-data-dir, removed on close, and newContext() a fresh, empty storage.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: STEP_TIMEOUT_MS,
  });
});

const context = await step('open a browser context', () =>
  browser.newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: 'block' }),
);
context.setDefaultTimeout(STEP_TIMEOUT_MS);

await context.route('**/*', (route) => {
  const u = new URL(route.request().url());
  if (isNetwork(u) && !isLoopback(u)) {
    blocked.push(`${route.request().method()} ${u.href}`);
    return route.abort('blockedbyclient');
  }
  return route.continue();
});

// Report what the Content-Security-Policy blocks (Chromium also logs it).
await context.addInitScript(() => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
  });
});

page = await step('open a page', () => context.newPage());

page.on('console', (msg) => {
  if (msg.type() === 'error') {
    consoleErrors.push(msg.text());
    if (msg.text().startsWith('CSP violation')) problems.push(msg.text());
  }
});
page.on('pageerror', (err) => problems.push(`uncaught error in the page: ${err.message}`));
page.on('websocket', (ws) => {
  const u = new URL(ws.url());
  if (!isLoopback(u)) blocked.push(`WEBSOCKET ${u.href}`);
});
page.on('requestfinished', async (req) => {
  const res = await req.response().catch(() => null);
  const status = res ? res.status() : '---';
  requests.push(`${status} ${req.method()} ${req.url()}`);
  if (res && res.status() >= 400) problems.push(`HTTP ${res.status()} for ${req.method()} ${req.url()}`);
});
page.on('requestfailed', (req) => {
  const u = new URL(req.url());
  if (isNetwork(u) && !isLoopback(u)) return; // already in blocked
  requests.push(`ERR ${req.method()} ${req.url()} (${req.failure()?.errorText})`);
  problems.push(`${req.method()} ${req.url()} failed: ${req.failure()?.errorText}`);
});

await step(`load ${url}`, async () => {
  const res = await page.goto(url, { waitUntil: 'load' });
  if (!res || !res.ok()) throw new Error(`HTTP ${res ? res.status() : 'no response'}`);
});
await checkProblems(`after loading ${url}`);

await step('wait for GraphiQL to render', () =>
  page.locator('.graphiql-container .graphiql-query-editor .CodeMirror').first().waitFor({ state: 'visible' }),
);
await checkProblems('after GraphiQL rendered');

const query = await step('read the query editor', () =>
  page.evaluate(() => {
    const cm = document.querySelector('.graphiql-query-editor .CodeMirror');
    return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
  }),
);
if (!query.trim()) await finish('the query editor is empty: no default query on first load');

await step('run the query', async () => {
  const run = page.locator('.graphiql-execute-button').first();
  if ((await run.count()) > 0) {
    await run.click();
  } else {
    await page.locator('.graphiql-query-editor .CodeMirror').first().click();
    await page.keyboard.press('Control+Enter');
  }
});

for (const text of expectTexts) {
  await step(`wait for ${JSON.stringify(text)} in the result pane`, () =>
    page.waitForFunction(
      (t) => {
        const pane = document.querySelector('.graphiql-response');
        return pane !== null && pane.innerText.includes(t);
      },
      text,
      { timeout: STEP_TIMEOUT_MS },
    ),
  );
}
if (expectTexts.length === 0) {
  await step('wait for a result', () =>
    page.waitForFunction(
      () => {
        const pane = document.querySelector('.graphiql-response');
        return pane !== null && pane.innerText.includes('"data"');
      },
      undefined,
      { timeout: STEP_TIMEOUT_MS },
    ),
  );
}
await checkProblems('after running the query');

await step('take the screenshot', () => page.screenshot({ path: screenshotPath, fullPage: true }));
await finish();
