// Pixel measures shared by the benchmark scripts (bench.mjs, webp-bdrate.mjs): one luma
// formula, one SSIM, and the independent reference (ImageMagick's float Lanczos3), so every
// number in docs/BENCHMARKS.md is measured the same way.
import { spawnSync } from 'node:child_process';

/** Rec. 601 luma of 8-bit RGB (3 bytes per pixel), rounded: one formula for both sides. */
export function luma(rgb) {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0, o = 0; o < out.length; i += 3, o++) {
    out[o] = Math.round(0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]);
  }
  return out;
}

/** PSNR in dB of two equal-length 8-bit arrays (Infinity when identical). */
export function psnr(a, b) {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / se);
}

/** Mean SSIM over 8x8 windows with stride 4 (Wang et al. constants, L = 255). */
export function ssim(a, b, w, h) {
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  let sum = 0;
  let n = 0;
  for (let y = 0; y + 8 <= h; y += 4) {
    for (let x = 0; x + 8 <= w; x += 4) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let j = 0; j < 8; j++) {
        let o = (y + j) * w + x;
        for (let i = 0; i < 8; i++, o++) {
          const p = a[o], q = b[o];
          sa += p; sb += q; saa += p * p; sbb += q * q; sab += p * q;
        }
      }
      const ma = sa / 64, mb = sb / 64;
      const va = saa / 64 - ma * ma, vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
      sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      n++;
    }
  }
  return sum / n;
}

/** Binary PPM (P6, maxval 255): width, height and the RGB bytes. */
export function parsePpm(buf) {
  const fields = [];
  let i = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[i]))) i++;
    if (buf[i] === 0x23) { while (buf[i] !== 0x0a) i++; continue; }
    let t = '';
    while (!/\s/.test(String.fromCharCode(buf[i]))) t += String.fromCharCode(buf[i++]);
    fields.push(t);
  }
  if (fields[0] !== 'P6' || fields[3] !== '255') throw new Error(`not an 8-bit PPM (${fields})`);
  const w = +fields[1], h = +fields[2];
  return { w, h, rgb: new Uint8Array(buf.subarray(i + 1, i + 1 + w * h * 3)) };
}

/** The reference no peer makes: ImageMagick's float three-lobe Lanczos (`-filter Lanczos`,
 *  Q16) of the full-size decode of `bytes` to `width` px, flattened on white, as 8-bit RGB. */
export function magickReference(bytes, width) {
  const r = spawnSync(
    'convert',
    ['-', '-background', 'white', '-alpha', 'remove', '-alpha', 'off', '-colorspace', 'sRGB',
      '-filter', 'Lanczos', '-resize', `${width}x`, '-depth', '8', 'ppm:-'],
    { input: bytes, maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) throw new Error(`reference: convert: ${r.stderr}`);
  return parsePpm(r.stdout);
}
