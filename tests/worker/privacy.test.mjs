// Privacy on every path (issue #18 item 3), on the shipped bundle under `wrangler dev`: an
// animation served as it came (here: `fit=pad` to 2000x2000 makes 40 MP in 10 frames, above
// the 20 MP an animation may be encoded to) with GPS in its EXIF and XMP comes out without
// them under `metadata=none` and the default copyright mode, its frames byte for byte, and
// with everything under `metadata=keep`. Native cases: tests/untransformed_metadata.rs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWrangler, writeTestConfig, tmpDir, CORPUS } from './harness.mjs';
import { chunks, chunk, riff } from './riff.mjs';

let origin;
let wr;
let dir;

before(async () => {
  dir = tmpDir();
  origin = await startOrigin();
  wr = await startWrangler({
    config: writeTestConfig(dir),
    persist: path.join(dir, 'state'),
    vars: { ALLOWED_ORIGINS: `${origin.base}/**` },
  });
});

after(async () => {
  await wr?.stop();
  await origin?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A little-endian TIFF: IFD0 with a GPS IFD pointer; the GPS IFD with GPSLatitudeRef "N". */
function exifWithGps() {
  const t = Buffer.alloc(8 + 18 + 18);
  t.write('II*\0', 0, 'latin1');
  t.writeUInt32LE(8, 4);
  t.writeUInt16LE(1, 8);
  t.writeUInt16LE(0x8825, 10); // GPSInfo
  t.writeUInt16LE(4, 12);
  t.writeUInt32LE(1, 14);
  t.writeUInt32LE(26, 18);
  t.writeUInt16LE(1, 26);
  t.writeUInt16LE(1, 28); // GPSLatitudeRef
  t.writeUInt16LE(2, 30);
  t.writeUInt32LE(2, 32);
  t.write('N', 36, 'latin1');
  return t;
}

test('an animation served as it came drops GPS under metadata=none and copyright, keeps it under keep', async () => {
  const original = fs.readFileSync(path.join(CORPUS, 'animated/sharp/animated-loop-3.webp'));
  const parts = chunks(original).map((c) => {
    if (c.kind !== 'VP8X') return c.bytes;
    const b = Buffer.from(c.bytes);
    b[8] |= 0x08 | 0x04; // EXIF and XMP flags
    return b;
  });
  const gpsXmp = Buffer.from("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:Description exif:GPSLatitude='52,22.2N'/></x:xmpmeta>");
  const source = riff([...parts, chunk('EXIF', exifWithGps()), chunk('XMP ', gpsXmp)]);
  origin.made.set('gps.webp', source);
  const frames = (b) => chunks(b).filter((c) => c.kind === 'ANMF').map((c) => c.bytes.toString('hex'));
  for (const mode of ['metadata=none', 'metadata=copyright', '']) {
    const opts = ['width=2000,height=2000,fit=pad', mode].filter(Boolean).join(',');
    const r = await fetch(`${wr.url}/cdn-cgi/image/${opts}/${origin.base}/m/gps.webp`);
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(r.status, 200, `${opts}: ${body}`);
    assert.equal(r.headers.get('content-type'), 'image/webp');
    const kinds = chunks(body).map((c) => c.kind);
    // no GPS: the EXIF had nothing but GPS, so not even a copyright EXIF is left
    assert.ok(!kinds.includes('EXIF') && !kinds.includes('XMP '), `${opts}: ${kinds}`);
    assert.equal(body[20] & 0x0c, 0, `${opts}: VP8X still flags EXIF/XMP`);
    assert.deepEqual(frames(body), frames(original), `${opts}: frames byte for byte`);
    assert.deepEqual(body, original, `${opts}: the corpus file, as it was before the GPS went in`);
  }
  const kept = await fetch(`${wr.url}/cdn-cgi/image/width=2000,height=2000,fit=pad,metadata=keep/${origin.base}/m/gps.webp`);
  const keptBody = Buffer.from(await kept.arrayBuffer());
  assert.equal(kept.status, 200);
  assert.deepEqual(keptBody, source, 'metadata=keep answers the input');
});
