// WebP (RIFF) chunk helpers for tests that make their own files from real corpus images.

/** The chunks of a WebP: [{ kind, bytes }], `bytes` the whole chunk with header and pad. */
export function chunks(webp) {
  const out = [];
  for (let i = 12; i + 8 <= webp.length; ) {
    const len = webp.readUInt32LE(i + 4);
    const end = Math.min(i + 8 + len + (len & 1), webp.length);
    out.push({ kind: webp.toString('latin1', i, i + 4), bytes: webp.subarray(i, end) });
    i = end;
  }
  return out;
}

/** One chunk: fourcc, little-endian size, payload, pad byte. */
export function chunk(kind, payload) {
  const head = Buffer.alloc(8);
  head.write(kind, 0, 'latin1');
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload, Buffer.alloc(payload.length & 1)]);
}

/** A RIFF/WEBP file of these chunks. */
export function riff(parts) {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length + 4, 4);
  head.write('WEBP', 8, 'latin1');
  return Buffer.concat([head, body]);
}

/** A VP8X chunk: flags, canvas width and height. */
export function vp8x(flags, width, height) {
  const p = Buffer.alloc(10);
  p[0] = flags;
  p.writeUIntLE(width - 1, 4, 3);
  p.writeUIntLE(height - 1, 7, 3);
  return chunk('VP8X', p);
}
