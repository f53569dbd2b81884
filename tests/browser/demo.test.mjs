// Real-browser test of the demo page and the package's Web Worker, in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = join(REPO, '../shared/corpus');
const ARTIFACTS = join(REPO, 'test-artifacts');

let srv, origin, context, page, profile;
const consoleErrors = [];

before(async () => {
  assert.ok(existsSync(join(REPO, 'www/pkg/index.js')), 'www/pkg missing: run scripts/build-npm.sh');
  ({ server: srv, origin } = await serve());
  profile = mkdtempSync(join(tmpdir(), 'edgepix-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
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
  srv?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('demo page: pick a photo, transform in the worker, show before/after', async () => {
  await page.goto(`${origin}/`);
  await page.waitForSelector('#samples:not(:has-text("Loading samples"))');
  const samplesText = await page.textContent('#samples');
  if (existsSync(join(REPO, 'www/samples/manifest.json'))) {
    assert.ok((await page.locator('.sample').count()) > 0, 'samples listed');
  } else {
    assert.match(samplesText, /scripts\/dev\.sh/, 'helpful message when the manifest is missing');
  }

  await page.fill('#opts input[name=width]', '1200');
  await page.selectOption('#opts select[name=format]', 'webp');
  await page.setInputFiles('#file', join(CORPUS, 'photos/RainDrops.jpg'));
  await page.waitForSelector('#status[data-state=done]', { timeout: 60_000 });
  const status = await page.textContent('#status');
  assert.match(status, /Web Worker/);

  const shown = await page.evaluate(async () => {
    const img = document.getElementById('after-img');
    await img.decode();
    const meta = document.getElementById('after-meta').dataset;
    const blob = await (await fetch(img.src)).blob();
    return {
      w: img.naturalWidth, h: img.naturalHeight, type: blob.type, size: blob.size,
      bytes: Number(meta.bytes), metaText: document.getElementById('after-meta').textContent,
      timings: document.getElementById('timings').textContent,
      download: document.getElementById('download').download,
      beforeW: document.getElementById('before-img').naturalWidth,
    };
  });
  assert.equal(shown.w, 1200);
  assert.equal(shown.h, 750);
  assert.equal(shown.beforeW, 1920);
  assert.equal(shown.type, 'image/webp');
  assert.equal(shown.bytes, shown.size, 'reported bytes are the displayed blob size');
  assert.ok(shown.bytes > 1000 && shown.bytes < 1242241, `bytes ${shown.bytes}`);
  assert.match(shown.metaText, /1200×750/);
  assert.match(shown.timings, /decode .* ms .*encode/);
  assert.equal(shown.download, 'RainDrops-1200x750.webp');

  // maxBytes through the form: the displayed result fits (smaller than the first result).
  const budget = Math.floor(shown.bytes * 0.6);
  await page.fill('#opts input[name=maxBytes]', String(budget));
  await page.waitForFunction((b) => Number(document.getElementById('after-meta').dataset.bytes) <= b, budget, { timeout: 60_000 });
  await page.waitForSelector('#status[data-state=done]');
  const fitted = await page.evaluate(() => ({
    w: document.getElementById('after-img').naturalWidth,
    timings: document.getElementById('timings').textContent,
  }));
  assert.match(fitted.timings, /maxBytes: (quality lowered|size reduced) to fit/);
  assert.ok(fitted.w <= 1200);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });
});

test('createWorker(): transform and inspect inside a module Web Worker', async () => {
  await page.goto(`${origin}/`);
  const r = await page.evaluate(async () => {
    const { createWorker } = await import('./pkg/worker.js');
    const { EdgepixError } = await import('./pkg/index.js');
    const w = createWorker();
    const input = await (await fetch('/__corpus/orientation/Landscape_6.jpg')).arrayBuffer();
    const out = await w.transform(input, { width: 600, format: 'jpeg' });
    const bmp = await createImageBitmap(out.blob);
    const info = await w.inspect(new Blob([input]));
    let err = null;
    try {
      await w.transform(input, { fit: 'sideways' });
    } catch (e) {
      err = { isTyped: e instanceof EdgepixError, code: e.code, status: e.status, message: e.message };
    }
    const ctl = new AbortController();
    const pending = w.transform(input, { width: 100, signal: ctl.signal });
    ctl.abort();
    const aborted = await pending.then(() => 'resolved', (e) => e.name);
    w.terminate();
    return {
      width: out.width, height: out.height, bmp: [bmp.width, bmp.height], mime: out.mimeType,
      blobSize: out.blob.size, bytes: out.bytes.length, inputStillUsable: input.byteLength,
      info: [info.width, info.height], err, aborted, keys: Object.keys(out).sort(),
    };
  });
  assert.equal(r.width, 600);
  assert.equal(r.height, 400);
  assert.deepEqual(r.bmp, [600, 400], 'decoded by the browser at the reported size');
  assert.equal(r.mime, 'image/jpeg');
  assert.equal(r.blobSize, r.bytes);
  assert.equal(r.inputStillUsable, 352727, "the caller's ArrayBuffer is not detached");
  assert.deepEqual(r.info, [1800, 1200]);
  assert.deepEqual(r.err && [r.err.isTyped, r.err.code, r.err.status], [true, 'bad_option', 400]);
  assert.match(r.err.message, /'fit'/);
  assert.equal(r.aborted, 'AbortError');
  for (const k of ['blob', 'bytes', 'width', 'height', 'format', 'mimeType', 'timings']) assert.ok(r.keys.includes(k), k);
});

test('no errors in the page console', () => {
  // The URL builder's requests fail on this static server (no Worker): those are expected.
  const real = consoleErrors.filter((t) => !/cdn-cgi|404|Failed to load resource/.test(t));
  assert.deepEqual(real, []);
});
