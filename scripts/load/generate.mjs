// Files the attack load needs that are too large to commit, written to tests/data/generated/
// (ignored by git; the origin serves it at /t/generated/):
//   xmp-bomb.webp  a lossy WebP of the corpus in a VP8X container with a 31 MB `XMP ` chunk
//                  (31 MB in all, under the 32 MiB input cap): issue #18's metadata bomb.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'tests/data/generated');
const SOURCE = path.join(ROOT, '../shared/corpus/conformance/webp/libwebp-test-data/vp80-00-comprehensive-016.webp');

function chunk(fourcc, body) {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
}

export function xmpBomb(xmpBytes = 31 * 1000 * 1000) {
  const src = fs.readFileSync(SOURCE);
  if (src.toString('latin1', 12, 16) !== 'VP8 ') throw new Error(`${SOURCE}: not a simple lossy WebP`);
  const vp8 = src.subarray(20, 20 + src.readUInt32LE(16));
  // the VP8 key frame header: 3-byte tag, start code, 14-bit width and height
  const w = vp8.readUInt16LE(6) & 0x3fff;
  const h = vp8.readUInt16LE(8) & 0x3fff;
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x04; // the XMP flag
  vp8x.writeUIntLE(w - 1, 4, 3);
  vp8x.writeUIntLE(h - 1, 7, 3);
  const open = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><!--';
  const close = '--></x:xmpmeta>';
  const xmp = Buffer.alloc(xmpBytes, 0x61);
  xmp.write(open, 0, 'latin1');
  xmp.write(close, xmpBytes - close.length, 'latin1');
  const body = Buffer.concat([Buffer.from('WEBP'), chunk('VP8X', vp8x), chunk('VP8 ', vp8), chunk('XMP ', xmp)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return { bytes: Buffer.concat([riff, body]), width: w, height: h };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(OUT, { recursive: true });
  const { bytes, width, height } = xmpBomb();
  fs.writeFileSync(path.join(OUT, 'xmp-bomb.webp'), bytes);
  console.log(`generate: xmp-bomb.webp ${width}x${height}, ${bytes.length} bytes`);
}
