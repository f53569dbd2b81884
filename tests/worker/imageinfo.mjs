// Reads the real format and dimensions from an encoded image's own header (JPEG SOF, PNG IHDR,
// WebP VP8/VP8L/VP8X, AVIF ftyp brand and ispe), so tests never trust response headers.

export function imageInfo(buf) {
  const b = Buffer.from(buf);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpeg(b);
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    return webp(b);
  }
  if (b.length >= 16 && b.toString('latin1', 4, 8) === 'ftyp' && b.toString('latin1', 8, 12) === 'avif') {
    // the image spatial extents property: 'ispe', version/flags, width, height
    const at = b.indexOf('ispe', 0, 'latin1');
    if (at > 0 && at + 16 <= b.length) {
      return { format: 'avif', width: b.readUInt32BE(at + 8), height: b.readUInt32BE(at + 12) };
    }
    return { format: 'avif', width: 0, height: 0 };
  }
  return { format: 'unknown', width: 0, height: 0 };
}

function jpeg(b) {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) { i++; continue; }
    const m = b[i + 1];
    if (m === 0xff) { i++; continue; }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { i += 2; continue; }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { format: 'jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return { format: 'jpeg', width: 0, height: 0 };
}

function webp(b) {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    // frame tag (3) + start code (3) then 14-bit width/height
    return { format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    const v = b.readUInt32LE(21);
    return { format: 'webp', width: (v & 0x3fff) + 1, height: ((v >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    const w = b[24] | (b[25] << 8) | (b[26] << 16);
    const h = b[27] | (b[28] << 8) | (b[29] << 16);
    return { format: 'webp', width: w + 1, height: h + 1 };
  }
  return { format: 'webp', width: 0, height: 0 };
}
