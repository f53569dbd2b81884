// The landing page as the main command serves it (issue #10): `wrangler dev` with the repository's
// wrangler.toml (assets = www/, the Worker on /cdn-cgi/*), opened in headless Chromium. The
// samples load through the Worker, the URL builder shows a transformed image, and a picked photo
// is transformed by the npm package in the page's Web Worker. Needs www/pkg (scripts/build-npm.sh)
// and www/samples (scripts/prepare-samples.sh); scripts/test-worker.sh and scripts/dev.sh run both.
// EDGEPIX_DEMO_URL=http://127.0.0.1:8787 runs it against a server already running (the one
// `scripts/dev.sh` started) instead of starting wrangler dev.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, CORPUS, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

let wr;
let dir;
let context;
let page;
const consoleErrors = [];
let manifest;

before(async () => {
  for (const f of ['www/pkg/index.js', 'www/pkg/worker.js', 'www/pkg/wasm/edgepix_wasm_bg.wasm', 'www/samples/manifest.json']) {
    assert.ok(fs.existsSync(path.join(ROOT, f)), `${f} missing: run scripts/build-npm.sh and scripts/prepare-samples.sh`);
  }
  manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'www/samples/manifest.json'), 'utf8'));
  dir = tmpDir();
  wr = process.env.EDGEPIX_DEMO_URL
    ? { url: process.env.EDGEPIX_DEMO_URL.replace(/\/+$/, ''), stop: async () => {} }
    : await startWrangler({ config: writeTestConfig(dir), persist: path.join(dir, 'state') });
  context = await chromium.launchPersistentContext(path.join(dir, 'chromium'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
});

after(async () => {
  await context?.close();
  await wr?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the Worker serves the page and the package it imports, with the right types', async () => {
  for (const [p, type] of [
    ['/', /text\/html/],
    ['/app.js', /javascript/],
    ['/pkg/index.js', /javascript/],
    ['/pkg/worker.js', /javascript/],
    ['/pkg/wasm/edgepix_wasm.js', /javascript/],
    // instantiateStreaming needs application/wasm
    ['/pkg/wasm/edgepix_wasm_bg.wasm', /^application\/wasm/],
    ['/samples/manifest.json', /json/],
  ]) {
    const r = await fetch(`${wr.url}${p}`);
    await r.arrayBuffer();
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type'), type, p);
  }
});

test('samples load through the Worker; the URL builder shows a transformed sample', async () => {
  await page.goto(`${wr.url}/`);
  await page.waitForSelector('#samples:not(:has-text("Loading samples"))', { timeout: 30_000 });
  assert.equal(await page.locator('.sample').count(), manifest.length, 'every sample listed');
  assert.equal(await page.locator('#samples.missing').count(), 0);
  // Each thumbnail is /cdn-cgi/image/width=160,height=120,fit=cover,format=auto/samples/<file>.
  const state = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.sample')].map((b) => {
        const i = b.querySelector('img');
        return i ? { src: i.getAttribute('src'), complete: i.complete, w: i.naturalWidth, h: i.naturalHeight } : 'removed';
      }),
    );
  // Every thumbnail loaded (none removed after failing), in view so lazy loading starts them.
  await page.locator('#samples').scrollIntoViewIfNeeded();
  await page
    .waitForFunction(
      (n) => {
        const imgs = [...document.querySelectorAll('.sample img')];
        return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
      },
      manifest.length,
      { timeout: 120_000 },
    )
    .catch(async (e) => {
      throw new Error(`thumbnails did not all load: ${JSON.stringify(await state())}`, { cause: e });
    });
  for (const t of await state()) {
    assert.match(t.src, /^\/cdn-cgi\/image\/width=160,height=120,fit=cover,format=auto\/samples\//);
    assert.deepEqual([t.w, t.h], [160, 120], t.src);
  }

  await page.waitForSelector('#url-status[data-state=done]', { timeout: 60_000 });
  const shown = await page.evaluate(() => ({
    url: document.getElementById('url').textContent,
    status: document.getElementById('url-status').textContent,
    w: document.getElementById('url-img').naturalWidth,
    h: document.getElementById('url-img').naturalHeight,
  }));
  const first = manifest[0];
  const width = Math.min(640, first.width);
  // The form's defaults: width=640, format=auto; Chromium accepts WebP.
  assert.equal(shown.url, `/cdn-cgi/image/width=640,format=auto/samples/${first.file}`);
  assert.match(shown.status, /image\/webp/);
  assert.equal(shown.w, width);
  assert.equal(shown.h, Math.round((first.height * width) / first.width));
  assert.match(shown.status, /cache (MISS|HIT)/);

  // Another option through the form: the Worker answers with that format.
  await page.selectOption('#url-opts select[name=format]', 'png');
  await page.waitForFunction(() => /format=png/.test(document.getElementById('url').textContent));
  await page.waitForFunction(() => /image\/png/.test(document.getElementById('url-status').textContent), null, { timeout: 60_000 });
});

test('a picked photo is transformed by the package in the page Web Worker', async () => {
  await page.goto(`${wr.url}/`);
  await page.fill('#opts input[name=width]', '1200');
  await page.selectOption('#opts select[name=format]', 'webp');
  await page.setInputFiles('#file', path.join(CORPUS, 'photos/RainDrops.jpg'));
  await page.waitForSelector('#status[data-state=done]', { timeout: 60_000 });
  assert.match(await page.textContent('#status'), /Web Worker/);
  const shown = await page.evaluate(async () => {
    const img = document.getElementById('after-img');
    await img.decode();
    const meta = document.getElementById('after-meta');
    const blob = await (await fetch(img.src)).blob();
    return {
      w: img.naturalWidth, h: img.naturalHeight, type: blob.type, size: blob.size,
      bytes: Number(meta.dataset.bytes), metaText: meta.textContent,
      timings: document.getElementById('timings').textContent,
      download: document.getElementById('download').download,
      beforeW: document.getElementById('before-img').naturalWidth,
    };
  });
  assert.deepEqual([shown.w, shown.h, shown.beforeW], [1200, 750, 1920]);
  assert.equal(shown.type, 'image/webp');
  assert.equal(shown.bytes, shown.size, 'reported bytes are the displayed blob size');
  assert.ok(shown.bytes > 1000 && shown.bytes < 1242241, `bytes ${shown.bytes}`);
  assert.match(shown.metaText, /1200×750/);
  assert.match(shown.timings, /decode .* ms .*encode/);
  assert.equal(shown.download, 'RainDrops-1200x750.webp');

  // maxBytes through the form: the displayed result fits.
  const budget = Math.floor(shown.bytes * 0.6);
  await page.fill('#opts input[name=maxBytes]', String(budget));
  await page.waitForFunction((b) => Number(document.getElementById('after-meta').dataset.bytes) <= b, budget, { timeout: 60_000 });
  await page.waitForSelector('#status[data-state=done]');
  assert.match(await page.textContent('#timings'), /maxBytes: (quality lowered|size reduced) to fit/);

  fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, 'test-artifacts/demo.png'), fullPage: true });
});

test('no errors in the page console', () => {
  assert.deepEqual(consoleErrors, []);
});
