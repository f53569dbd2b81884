// `draw` (overlays) end to end: a second Worker (draw-caller.mjs) calls edgepix through a
// service binding to its `Bound` entrypoint with Cloudflare's Workers shape
// (`fetch(imageURL, {cf: {image: {draw: [...]}}})`), both Workers in one local workerd.
// Pixels are checked against sharp's decodes of the base and the overlay (straight-alpha
// "over", opacity times alpha, ±2), and what public traffic reaches (the URL form, and the
// default entrypoint with a cf.image) is shown never to draw.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { imageInfo } from './imageinfo.mjs';
import { ROOT, startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

const BASE = 'photos/kodak/kodim01.png'; // 768x512 RGB
const LOGO = 'conformance/webp/image-webp/reference/gallery2/4_webp_ll.png'; // 421x163 RGBA

let origin;
let w;
// an operator's named variant carrying an overlay: public URLs may name it
const WM = () => ({ format: 'png', width: 300, draw: [{ url: src(LOGO), top: 0, left: 0, opacity: 0.5 }] });
const VARIANTS = () => ({ wm: WM() });
let dir;

before(async () => {
  origin = await startOrigin();
  dir = tmpDir('edgepix-draw-');
  const edgepix = writeTestConfig(dir);
  // the overlays' origin is admitted like any source: by ALLOWED_ORIGINS, literally
  const text = fs
    .readFileSync(edgepix, 'utf8')
    .replace(/^ALLOWED_ORIGINS = .*$/m, `ALLOWED_ORIGINS = "${origin.base}/c/**"`)
    // --var reaches only the first Worker of several: the named variants go in the config
    .replace(/^\[vars\]$/m, `[vars]\nVARIANTS = '${JSON.stringify(VARIANTS())}'`);
  fs.writeFileSync(edgepix, text);
  const caller = path.join(dir, 'caller.toml');
  fs.writeFileSync(
    caller,
    [
      'name = "edgepix-draw-caller"',
      `main = ${JSON.stringify(path.join(ROOT, 'tests/worker/draw-caller.mjs'))}`,
      'compatibility_date = "2025-06-01"',
      '[[services]]',
      'binding = "EDGEPIX"',
      'service = "edgepix"',
      'entrypoint = "Bound"',
      '[[services]]',
      'binding = "EDGEPIX_DEFAULT"',
      'service = "edgepix"',
      '',
    ].join('\n'),
  );
  w = await startWrangler({ config: [caller, edgepix], persist: path.join(dir, 'state') });
});

after(async () => {
  await w?.stop();
  await origin?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function call(via, source, image) {
  const r = await fetch(`${w.url}/call`, {
    method: 'POST',
    body: JSON.stringify({ via, source, image }),
  });
  return { status: r.status, h: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

const src = (p) => `${origin.base}/c/${p}`;

async function rgba(buf) {
  const { data, info } = await sharp(buf).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

test('a bound Worker draws an overlay: opacity and position from bottom/right, pixel for pixel', async () => {
  const image = {
    format: 'png',
    draw: [{ url: src(LOGO), bottom: 7, right: 11, opacity: 0.5 }],
  };
  const r = await call('bound', src(BASE), image);
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.h.get('content-type'), 'image/png');
  assert.deepEqual(imageInfo(r.body), { format: 'png', width: 768, height: 512 });
  const out = await rgba(r.body);
  const base = await rgba(fs.readFileSync(path.join(ROOT, '../shared/corpus', BASE)));
  const logo = await rgba(fs.readFileSync(path.join(ROOT, '../shared/corpus', LOGO)));
  const x0 = 768 - logo.width - 11;
  const y0 = 512 - logo.height - 7;
  let checked = 0;
  for (let y = 0; y < logo.height; y += 3) {
    for (let x = 0; x < logo.width; x += 3) {
      const o = (y * logo.width + x) * 4;
      const b = ((y0 + y) * 768 + x0 + x) * 4;
      const a = (logo.data[o + 3] / 255) * 0.5;
      for (let c = 0; c < 3; c++) {
        const want = Math.round(logo.data[o + c] * a + base.data[b + c] * (1 - a));
        const got = out.data[b + c];
        assert.ok(Math.abs(got - want) <= 2, `(${x0 + x},${y0 + y}) c${c}: got ${got}, want ${want}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 7000);
  // outside the overlay: the base
  for (const [x, y] of [[x0 - 1, y0], [767, 511], [0, 0]]) {
    const b = (y * 768 + x) * 4;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(out.data[b + c] - base.data[b + c]) <= 1, `(${x},${y})`);
  }
});

test('the overlay is fetched once; the variant is cached under a key holding the draw list', async () => {
  const image = { format: 'png', width: 300, draw: [{ url: src(LOGO), top: 0, left: 0, width: 100 }] };
  const before = origin.hits(`/c/${LOGO}`);
  const a = await call('bound', src(BASE), image);
  assert.equal(a.status, 200, a.body.toString());
  assert.equal(origin.hits(`/c/${LOGO}`), before + 1);
  const b = await call('bound', src(BASE), image);
  assert.equal(b.status, 200);
  assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
  assert.equal(origin.hits(`/c/${LOGO}`), before + 1, 'a hit fetched the overlay again');
  assert.deepEqual(b.body, a.body);
  // another opacity is another variant, with other pixels
  const c = await call('bound', src(BASE), { ...image, draw: [{ ...image.draw[0], opacity: 0.3 }] });
  assert.equal(c.status, 200);
  assert.equal(c.h.get('x-edgepix-cache'), 'MISS');
  assert.notDeepEqual(c.body, a.body);
});

test('an overlay from a host the allowlist does not admit is 403, and nothing is fetched from it', async () => {
  const n = origin.total();
  for (const url of [
    `${origin.base}/t/png/logo.png`, // the origin itself, outside the allowed /c/**
    'https://evil.example/logo.png',
    'http://127.0.0.2:9/x.png',
    'http://169.254.169.254/latest',
  ]) {
    const r = await call('bound', src(BASE), { draw: [{ url }] });
    assert.equal(r.status, 403, `${url}: ${r.body}`);
    const e = JSON.parse(r.body).error;
    assert.equal(e.code, 'source_forbidden');
    assert.match(e.message, /^draw\[0\]/);
  }
  // refused while routing: neither the overlay nor the source was fetched
  assert.equal(origin.total(), n);
});

test('bad draw objects are 400 with the field named', async () => {
  for (const [draw, field] of [
    [[{ url: src(LOGO), opacity: 2 }], 'draw[0].opacity'],
    [[{ url: src(LOGO), left: 1, right: 1 }], 'draw[0]'],
    [[{ url: src(LOGO), shadow: 1 }], 'draw[0].shadow'],
    ['nope', 'draw'],
  ]) {
    const r = await call('bound', src(BASE), { draw });
    assert.equal(r.status, 400, `${JSON.stringify(draw)}: ${r.body}`);
    assert.ok(JSON.parse(r.body).error.message.includes(field), r.body.toString());
  }
  // an overlay the origin does not have is the overlay's 404
  const r = await call('bound', src(BASE), { draw: [{ url: src('no/such.png') }] });
  assert.equal(r.status, 404, r.body.toString());
  assert.match(JSON.parse(r.body).error.message, /^draw\[0\]/);
});

test('public traffic never draws: the URL form refuses draw, the default entrypoint ignores cf.image', async () => {
  // the URL form, through the default entrypoint (what a browser reaches)
  const pub = await call('default', `http://edgepix.test/cdn-cgi/image/width=200,draw=x/${src(BASE)}`);
  assert.equal(pub.status, 400, pub.body.toString());
  assert.equal(JSON.parse(pub.body).error.code, 'unsupported_option');
  // a cf.image with draw on the default entrypoint changes nothing: the same bytes as without
  // (the cf.image call first, so that it is the one transformed, not a cache hit)
  const url = `http://edgepix.test/cdn-cgi/image/width=200,format=png/${src(BASE)}`;
  const withCf = await call('default', url, { draw: [{ url: src(LOGO) }], width: 50 });
  assert.equal(withCf.status, 200, withCf.body.toString());
  assert.equal(withCf.h.get('x-edgepix-cache'), 'MISS');
  assert.deepEqual(imageInfo(withCf.body), { format: 'png', width: 200, height: 133 });
  const plain = await call('default', url);
  assert.equal(plain.status, 200, plain.body.toString());
  assert.deepEqual(withCf.body, plain.body);
});

test('a named variant may carry draw: the public URL naming it draws what the bound call draws', async () => {
  const pub = await call('default', `http://edgepix.test/cdn-cgi/image/wm/${src(BASE)}`);
  assert.equal(pub.status, 200, pub.body.toString());
  assert.deepEqual(imageInfo(pub.body), { format: 'png', width: 300, height: 200 });
  const viaBinding = await call('bound', src(BASE), WM());
  assert.equal(viaBinding.status, 200, viaBinding.body.toString());
  const a = await rgba(pub.body);
  const b = await rgba(viaBinding.body);
  assert.deepEqual(a.data, b.data);
  // and it is not the plain resize: the overlay changed the top-left corner
  const plain = await rgba((await call('bound', src(BASE), { format: 'png', width: 300 })).body);
  let differ = 0;
  for (let i = 0; i < 100 * 4 * 300; i++) differ += a.data[i] !== plain.data[i];
  assert.ok(differ > 1000, `only ${differ} samples differ from the plain resize`);
});
