// Writes the crafted hostile files of issue #8 next to this script. They are committed; this
// script documents how each byte was chosen and can rebuild them: node tests/data/crafted/make.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const dir = new URL('.', import.meta.url);
const u32be = (n) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const u32le = (n) => Buffer.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]);
const u16le = (n) => Buffer.from([n & 255, n >>> 8]);

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
const chunk = (type, body) =>
  Buffer.concat([u32be(body.length), Buffer.from(type), body, u32be(crc32(Buffer.concat([Buffer.from(type), body])))]);

// PNG: a 1x1 RGB image whose ancillary chunk before IDAT declares 0xFFFFFFF4 bytes. On wasm32
// `pos + 12 + len` wraps to `pos`, so a walker that adds without checking never moves.
{
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = chunk('IHDR', Buffer.concat([u32be(1), u32be(1), Buffer.from([8, 2, 0, 0, 0])]));
  const bogus = Buffer.concat([u32be(0xfffffff4), Buffer.from('tEXt'), Buffer.from('abcd')]);
  const idat = chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0])));
  const iend = chunk('IEND', Buffer.alloc(0));
  const file = Buffer.concat([sig, ihdr, bogus, idat, iend]);
  const pad = Buffer.alloc(Math.max(0, 91 - file.length)); // trailing bytes after IEND are ignored
  writeFileSync(new URL('png-chunk-length-wraps.png', dir), Buffer.concat([file, pad]));
}

// WebP: a 1x1 lossless image followed by an EXIF chunk declaring 0xFFFFFFF8 bytes:
// `pos + 8 + len + (len & 1)` wraps to `pos` on wasm32.
{
  // VP8L bitstream, LSB first: 14 bits width-1, 14 bits height-1, alpha 0, version 0; no
  // transform, no colour cache, no meta prefix codes; five simple one-symbol prefix codes
  // (green 255, red 0, blue 0, alpha 255, distance 0), so the pixel needs zero bits.
  const bits = [];
  const put = (v, n) => { for (let i = 0; i < n; i++) bits.push((v >> i) & 1); };
  put(0, 14); put(0, 14); put(0, 1); put(0, 3);
  put(0, 1); put(0, 1); put(0, 1);
  for (const sym of [255, 0, 0, 255, 0]) { put(1, 1); put(0, 1); put(1, 1); put(sym, 8); }
  const body = Buffer.alloc(1 + Math.ceil(bits.length / 8));
  body[0] = 0x2f;
  bits.forEach((b, i) => { body[1 + (i >> 3)] |= b << (i & 7); });
  const vp8l = Buffer.concat([Buffer.from('VP8L'), u32le(body.length), body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  const exif = Buffer.concat([Buffer.from('EXIF'), u32le(0xfffffff8)]);
  const payload = Buffer.concat([Buffer.from('WEBP'), vp8l, exif]);
  writeFileSync(new URL('webp-exif-length-wraps.webp', dir), Buffer.concat([Buffer.from('RIFF'), u32le(payload.length), payload]));
}

// GIF: a 10x10 logical screen whose only frame starts at left 20 on the last row: the frame
// lies outside the screen, and a compositor that slices the canvas at the frame's offset
// without clipping indexes past its end.
{
  const header = Buffer.concat([Buffer.from('GIF89a'), u16le(10), u16le(10), Buffer.from([0x00, 0, 0])]);
  const descriptor = Buffer.concat([Buffer.from([0x2c]), u16le(20), u16le(9), u16le(1), u16le(1), Buffer.from([0x80])]);
  const lct = Buffer.from([0, 0, 0, 255, 255, 255]); // 2 colours
  // LZW, minimum code size 2: clear (4), index 1, end (5), packed LSB first in 3-bit codes
  const image = Buffer.from([0x02, 0x02, 0x4c, 0x01, 0x00]);
  const comment = Buffer.concat([Buffer.from([0x21, 0xfe]), Buffer.from([9]), Buffer.from('edgepix!!'), Buffer.from([0])]);
  const file = Buffer.concat([header, comment, descriptor, lct, image, Buffer.from([0x3b])]);
  writeFileSync(new URL('gif-frame-outside-screen.gif', dir), file);
}
