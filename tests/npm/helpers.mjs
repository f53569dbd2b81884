// Header parsing for the tests, independent of the engine.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
export const corpus = (p) => new Uint8Array(readFileSync(CORPUS + p));

/** { format, width, height } from the bytes of a JPEG, PNG or WebP. */
export function dims(b) {
  if (b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) throw new Error(`bad JPEG marker at ${i}`);
      const m = b[i + 1];
      const len = (b[i + 2] << 8) | b[i + 3];
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        return { format: 'jpeg', height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
      }
      i += 2 + len;
    }
    throw new Error('no SOF');
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b[0] === 0x89 && b[1] === 0x50) {
    return { format: 'png', width: dv.getUint32(16), height: dv.getUint32(20) };
  }
  const ascii = (o, n) => String.fromCharCode(...b.subarray(o, o + n));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const kind = ascii(12, 4);
    if (kind === 'VP8X') {
      const u24 = (o) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
      return { format: 'webp', width: u24(24) + 1, height: u24(27) + 1 };
    }
    if (kind === 'VP8L') {
      const v = dv.getUint32(21, true);
      return { format: 'webp', width: (v & 0x3fff) + 1, height: ((v >> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8 ') {
      return { format: 'webp', width: dv.getUint16(26, true) & 0x3fff, height: dv.getUint16(28, true) & 0x3fff };
    }
  }
  throw new Error('unknown format');
}

function indexOf(hay, needle) {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
const enc = (s) => new TextEncoder().encode(s);

/** Metadata blocks present: JPEG APP1 Exif / XMP, PNG eXIf, WebP EXIF / XMP chunks. */
export function metadata(b) {
  return {
    exif: indexOf(b, enc('Exif\0\0')) >= 0 || indexOf(b, enc('eXIf')) >= 0 || indexOf(b, enc('EXIF')) >= 0,
    xmp: indexOf(b, enc('http://ns.adobe.com/xap/1.0/')) >= 0 || indexOf(b, enc('XMP ')) >= 0,
  };
}
