// Animations through the npm package, against sharp (libvips + libwebp/cgif, `animated: true`)
// as the independent reference: frame count, page size, delays and loop count read by sharp
// from our output, and frame pixels against sharp's own resize of every input frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { transform } from '../../pkg/node.js';
import { corpus } from './helpers.mjs';

const sharp = createRequire(import.meta.url)('sharp');
const squares = corpus('conformance/gif/sharp/rotating-squares.gif'); // 80x80, 30 frames
const loop3 = corpus('animated/sharp/animated-loop-3.webp'); // 370x285, 10 frames, 3 plays

/** Mean absolute difference of two RGBA frames composed over mid grey, per channel. */
function meanDiffOverGrey(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const pa = (a[i + c] * a[i + 3] + 128 * (255 - a[i + 3])) / 255;
      const pb = (b[i + c] * b[i + 3] + 128 * (255 - b[i + 3])) / 255;
      sum += Math.abs(pa - pb);
    }
  }
  return sum / ((a.length / 4) * 3);
}

/** Frame `n` of an animation as RGBA, decoded by sharp. */
const frame = (bytes, n) => sharp(bytes, { page: n }).ensureAlpha().raw().toBuffer();

for (const [name, input, width] of [
  ['GIF', squares, 40],
  ['WebP', loop3, 185],
]) {
  test(`animated ${name} -> animated WebP: frames, delays and loop count as sharp reads them`, async (t) => {
    const src = await sharp(input, { animated: true }).metadata();
    const r = await transform(input, { width, format: 'auto' });
    assert.equal(r.format, 'webp');
    assert.equal(r.mimeType, 'image/webp');
    const out = await sharp(r.bytes, { animated: true }).metadata();
    assert.equal(out.pages, src.pages);
    assert.equal(out.width, width);
    assert.equal(out.pageHeight, r.height);
    assert.equal(out.loop, src.loop);
    // GIF delays of 10 ms or less are shown for 100 ms by browsers; others are kept
    assert.deepEqual(out.delay, src.delay.map((d) => (name === 'GIF' && d <= 10 ? 100 : d)));
    // frames against sharp's resize of the same input frames (raw: libvips's WebP writer
    // would merge equal frames)
    const w = r.width;
    const h = r.height;
    const ref = await sharp(input, { animated: true }).resize(w, h, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
    for (const n of [0, Math.floor(src.pages / 2), src.pages - 1]) {
      const want = ref.subarray(n * w * h * 4, (n + 1) * w * h * 4);
      const d = meanDiffOverGrey(await frame(r.bytes, n), want);
      t.diagnostic(`frame ${n}: mean difference ${d.toFixed(2)} per channel`);
      assert.ok(d < 4, `frame ${n}: mean difference ${d.toFixed(2)}`);
    }
  });
}

test('anim: false gives the first frame as a still', async () => {
  const r = await transform(squares, { width: 40, format: 'webp', anim: false });
  const m = await sharp(r.bytes, { animated: true }).metadata();
  assert.equal(m.pages ?? 1, 1);
  const first = await sharp(squares, { page: 0 }).resize(40, 40).ensureAlpha().raw().toBuffer();
  const d = meanDiffOverGrey(await frame(r.bytes, 0), first);
  assert.ok(d < 4, `mean difference ${d.toFixed(2)}`);
});

test('an animated GIF without a format stays a GIF', async () => {
  const r = await transform(squares, { width: 40 });
  assert.equal(r.format, 'gif');
  assert.equal(r.mimeType, 'image/gif');
  const m = await sharp(r.bytes, { animated: true }).metadata();
  assert.equal(m.format, 'gif');
  assert.equal(m.pages, 30);
  assert.equal(m.width, 40);
});
