// scripts/experiment-report.mjs on synthetic events whose true effect is known: the interval
// covers it, a broken split is flagged, and no effect is "cannot tell".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvents, report } from '../../scripts/experiment-report.mjs';

function rng(seed) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** `units` images, arm by index parity (or `split`), `effect` multiplies arm b's bytes. */
function events({ units = 400, effect = 0.7, split = 0.5, seed = 7 }) {
  const r = rng(seed);
  const out = [];
  for (let u = 0; u < units; u++) {
    const arm = r() < split ? 'a' : 'b';
    const size = 20000 + 80000 * r(); // the image's own size: units differ a lot
    const requests = 1 + Math.floor(r() * 10);
    for (let k = 0; k < requests; k++) {
      const miss = k === 0;
      out.push({
        ts: 0, arms: `q=${arm}`, unit: `u${u}`, unit_kind: 'image', status: 200,
        cache: miss ? 'MISS' : 'HIT', error: '', format: 'webp', bytes_in: miss ? 300000 : 0,
        bytes_out: Math.round(size * (arm === 'b' ? effect : 1) * (0.98 + 0.04 * r())),
        width: 800, height: 600, decode_ms: miss ? 10 : 0, resize_ms: miss ? 3 : 0, encode_ms: miss ? 8 : 0,
        quality: 85, policy: 'fixed', predicted_score: null, measured_score: null, sample_rate: 1,
      });
    }
  }
  return out;
}

const configs = [{ id: 'q', arms: [{ name: 'a' }, { name: 'b' }] }];

test('a 30 % saving is found and its interval covers the truth', () => {
  const [r] = report(events({}), { configs, iterations: 500 });
  const b = r.arms[1];
  assert.match(r.verdict, /^b wins on bytes/);
  assert.ok(b.bytesDiffCI[0] <= -0.3 && -0.3 <= b.bytesDiffCI[1], JSON.stringify(b.bytesDiffCI));
  assert.ok(r.srm.p > 0.001);
});

test('no effect: cannot tell', () => {
  const [r] = report(events({ effect: 1, seed: 11 }), { configs, iterations: 500 });
  assert.match(r.verdict, /^cannot tell yet/);
});

test('a 60/40 split of an equal-weight experiment is a sample ratio mismatch', () => {
  const [r] = report(events({ units: 4000, split: 0.6 }), { configs, iterations: 50 });
  assert.match(r.verdict, /^sample ratio mismatch/);
  assert.ok(r.srm.p < 1e-6, String(r.srm.p));
});

test('the interval is over units: one huge unit with many requests does not narrow it', () => {
  const ev = events({ units: 40, effect: 1, seed: 3 });
  const many = Array.from({ length: 3000 }, () => ({ ...ev[0] }));
  const [r] = report(ev.concat(many), { configs, iterations: 400 });
  assert.match(r.verdict, /^cannot tell yet/);
});

test('log lines and Analytics Engine exports parse to the same events', () => {
  const e = events({ units: 3 });
  const lines = e.map((x) => `  [wrangler:inf] edgepix_event ${JSON.stringify({ ...x, version: 'v' })}`).join('\n');
  assert.equal(parseEvents(lines).length, e.length);
  const BL = ['arms', 'unit', 'unit_kind', 'cache', 'error', 'format', 'policy', 'version'];
  const DB = ['status', 'bytes_in', 'bytes_out', 'width', 'height', 'decode_ms', 'resize_ms', 'encode_ms',
    'quality', 'predicted_score', 'measured_score', 'sample_rate', 'ts'];
  const data = e.map((x) => {
    const row = {};
    BL.forEach((k, i) => (row[`blob${i + 1}`] = k === 'version' ? 'v' : x[k]));
    DB.forEach((k, i) => (row[`double${i + 1}`] = x[k] ?? -1));
    return row;
  });
  const back = parseEvents(JSON.stringify({ data }));
  assert.equal(back.length, e.length);
  assert.deepEqual({ ...back[0], version: undefined }, { ...e[0], version: undefined });
});
