// AVIF encode time per megapixel in wasm (node), through the npm package built with the
// encoder: `EDGEPIX_FEATURES=avif bash scripts/build-npm.sh && node scripts/avif-time.mjs`.
// Each photo is resized to each width and encoded as AVIF and as WebP at the default quality;
// the engine's own timings give the encode time (decode and resize excluded).
import { readFile } from 'node:fs/promises';
import { transform } from '../pkg/node.js';

const corpus = new URL('../../shared/corpus/', import.meta.url);
const photos = (process.env.PHOTOS || 'photos/RainDrops.jpg,photos/hato.jpg,photos/kodak/kodim23.png').split(',');
const widths = (process.env.WIDTHS || '400,800,1200').split(',').map(Number);
console.log('photo\twidth\tMP\tformat\tbytes\tencode_ms\tms_per_MP');
for (const p of photos) {
  const bytes = new Uint8Array(await readFile(new URL(p, corpus)));
  for (const width of widths) {
    for (const format of ['avif', 'webp']) {
      const r = await transform(bytes, { width, format });
      if (r.format !== format) throw new Error(`${p} ${width}: asked ${format}, got ${r.format} (${r.notes})`);
      const mp = (r.width * r.height) / 1e6;
      console.log([p, `${r.width}x${r.height}`, mp.toFixed(2), format, r.bytes.length,
        r.timings.encode.toFixed(0), (r.timings.encode / mp).toFixed(0)].join('\t'));
    }
  }
}
