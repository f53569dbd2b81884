// Real-browser tests of the npm package in Debian's Chromium: the module Web Worker
// (createWorker), AbortSignal stopping a running transform, progress by message, and trap
// recovery inside a worker. The demo page itself is tested against `wrangler dev`, as the main
// command serves it, in tests/worker/demo.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

let srv, origin, context, page, profile;
const consoleErrors = [];

before(async () => {
  assert.ok(existsSync(join(REPO, 'www/pkg/index.js')), 'www/pkg missing: run scripts/build-npm.sh');
  assert.ok(existsSync(join(REPO, 'target/npm-trap/pkg/index.js')), 'trap package missing: run scripts/build-npm.sh --trap');
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

test('createWorker(): transform and inspect inside a module Web Worker', async () => {
  await page.goto(`${origin}/__blank`);
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

test('createWorker(): an abort stops the running transform by terminating its worker', async () => {
  await page.goto(`${origin}/__blank`);
  const r = await page.evaluate(async () => {
    const { createWorker } = await import('./pkg/worker.js');
    // Which workers get terminated, and when.
    const terminated = [];
    const terminate = Worker.prototype.terminate;
    Worker.prototype.terminate = function () {
      terminated.push(this);
      return terminate.call(this);
    };
    const big = await (await fetch('/__corpus/photos/dog_exif_extended_xmp_icc.jpg')).arrayBuffer();
    const small = await (await fetch('/__corpus/orientation/Landscape_6.jpg')).arrayBuffer();
    const w = createWorker();
    await w.ready();
    const first = w.worker;

    const ctl = new AbortController();
    const stages = [];
    let terminatedAtAbort = null;
    const aborted = w.transform(big, {
      width: 2000,
      format: 'png',
      signal: ctl.signal,
      onProgress: (e) => {
        stages.push(e.stage);
        if (e.stage === 'decode') {
          ctl.abort();
          terminatedAtAbort = terminated.includes(first);
        }
      },
    });
    // Queued behind the aborted job: must still run, in the fresh worker.
    const queued = w.transform(small, { width: 300, format: 'webp' });
    const abortedAs = await aborted.then(() => 'resolved', (e) => e.name);
    const next = await queued;
    const second = w.worker;
    const later = await w.transform(big, { width: 200 });
    Worker.prototype.terminate = terminate;
    w.terminate();
    return {
      abortedAs, stages, terminatedAtAbort, firstTerminated: terminated.includes(first),
      sameWorker: first === second, secondTerminatedBeforeEnd: terminated.filter((t) => t === second).length,
      next: [next.width, next.height, next.mimeType], later: [later.width, later.height],
    };
  });
  assert.equal(r.abortedAs, 'AbortError');
  assert.deepEqual(r.stages, ['read', 'init', 'decode'], 'no event of the aborted job after the abort');
  assert.equal(r.terminatedAtAbort, true, 'the worker was terminated while it was decoding');
  assert.equal(r.sameWorker, false, 'the next job runs in a fresh worker');
  assert.equal(r.secondTerminatedBeforeEnd, 0);
  assert.deepEqual(r.next, [300, 200, 'image/webp']);
  assert.deepEqual(r.later, [200, 267]);
});

test('createWorker(): progress arrives by message while the worker works', async () => {
  await page.goto(`${origin}/__blank`);
  const r = await page.evaluate(async () => {
    const { createWorker } = await import('./pkg/worker.js');
    const input = await (await fetch('/__corpus/photos/dog_exif_extended_xmp_icc.jpg')).arrayBuffer();
    const w = createWorker();
    const events = [];
    // A timer on the main thread runs between the progress messages: the main thread is free
    // while the engine works, and the events are not delivered in one batch at the end.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const out = await w.transform(input, {
      width: 1600,
      onProgress: (e) => events.push({ stage: e.stage, progress: e.progress, ticks }),
    });
    clearInterval(timer);
    w.terminate();
    return { events, width: out.width, timings: out.timings };
  });
  assert.deepEqual(r.events.map((e) => e.stage), ['read', 'init', 'decode', 'resize', 'encode', 'done']);
  assert.deepEqual(r.events.map((e) => e.progress), [0, 0.05, 0.1, 0.45, 0.7, 1]);
  assert.equal(r.width, 1600);
  const at = Object.fromEntries(r.events.map((e) => [e.stage, e.ticks]));
  assert.ok(r.timings.decode + r.timings.resize > 20, `precondition: measurable work (${JSON.stringify(r.timings)})`);
  assert.ok(at.encode > at.decode, `main-thread timer ran between decode and encode events (${JSON.stringify(at)})`);
});

test('createWorker(): a trap in the worker rejects with EdgepixError internal, the worker goes on', async () => {
  await page.goto(`${origin}/__blank`);
  const r = await page.evaluate(async () => {
    const { createWorker } = await import('/__trap/worker.js');
    const { EdgepixError } = await import('/__trap/index.js');
    const input = await (await fetch('/__corpus/photos/RainDrops.jpg')).arrayBuffer();
    const w = createWorker();
    const before = await w.transform(input, { width: 320, format: 'webp' });
    const first = w.worker;
    let err = null;
    try {
      await w.transform(input, { width: 320, __testTrap: true });
    } catch (e) {
      err = { typed: e instanceof EdgepixError, code: e.code, status: e.status, message: e.message };
    }
    const after = await w.transform(input, { width: 320, format: 'webp' });
    const same = before.bytes.length === after.bytes.length && before.bytes.every((b, i) => b === after.bytes[i]);
    const sameWorker = w.worker === first;
    w.terminate();
    return { err, same, sameWorker, after: [after.width, after.height] };
  });
  assert.deepEqual(r.err && [r.err.typed, r.err.code, r.err.status], [true, 'internal', 500]);
  assert.match(r.err.message, /unreachable/);
  assert.deepEqual(r.after, [320, 200]);
  assert.equal(r.same, true, 'the same bytes as before the trap');
  assert.equal(r.sameWorker, true, 'recovered inside the worker, no restart needed');
});

test('no errors in the page console', () => {
  // The panic hook of the trap test logs the deliberate panic: expected.
  const real = consoleErrors.filter((t) => !/test-trap: deliberate panic/.test(t));
  assert.deepEqual(real, []);
});
