// Files the attack load needs that are too large to commit, written to tests/data/generated/
// (ignored by git; the origin serves it at /t/generated/):
//   xmp-bomb.webp  a lossy WebP of the corpus in a VP8X container with a 31 MB `XMP ` chunk
//                  (31 MB in all, under the 32 MiB input cap): issue #18's metadata bomb.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunks, chunk, riff, vp8x } from '../../tests/worker/riff.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'tests/data/generated');
const SOURCE = path.join(ROOT, '../shared/corpus/conformance/webp/libwebp-test-data/vp80-00-comprehensive-016.webp');

export function xmpBomb(xmpBytes = 31 * 1000 * 1000) {
  const src = fs.readFileSync(SOURCE);
  const [image] = chunks(src);
  if (image?.kind !== 'VP8 ') throw new Error(`${SOURCE}: not a simple lossy WebP`);
  // the VP8 key frame header: 3-byte tag, start code, 14-bit width and height
  const w = image.bytes.readUInt16LE(8 + 6) & 0x3fff;
  const h = image.bytes.readUInt16LE(8 + 8) & 0x3fff;
  const open = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><!--';
  const close = '--></x:xmpmeta>';
  const xmp = Buffer.alloc(xmpBytes, 0x61);
  xmp.write(open, 0, 'latin1');
  xmp.write(close, xmpBytes - close.length, 'latin1');
  // the XMP flag set, the chunk after the image
  return { bytes: riff([vp8x(0x04, w, h), image.bytes, chunk('XMP ', xmp)]), width: w, height: h };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(OUT, { recursive: true });
  const { bytes, width, height } = xmpBomb();
  fs.writeFileSync(path.join(OUT, 'xmp-bomb.webp'), bytes);
  console.log(`generate: xmp-bomb.webp ${width}x${height}, ${bytes.length} bytes`);
}
