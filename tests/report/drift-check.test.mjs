// scripts/drift-check.mjs: the same traffic is stable, a shifted mix or a rise in target
// misses says retrain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drift } from '../../scripts/drift-check.mjs';

function traffic({ n = 2000, seed = 1, bigShare = 0.2, miss = 0.05, webp = 0.7 }) {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, () => {
    const big = r() < bigShare;
    const width = big ? 1600 + Math.floor(r() * 800) : 300 + Math.floor(r() * 700);
    const predicted = 70;
    return {
      cache: 'MISS', status: 200, format: r() < webp ? 'webp' : 'jpeg', bytes_in: width * 400 * (0.8 + 0.4 * r()),
      width, height: Math.round(width * 0.66), quality: 60 + Math.floor(r() * 30),
      predicted_score: predicted, measured_score: r() < miss ? predicted - 3 : predicted + 2,
    };
  });
}

test('the same traffic is stable', () => {
  const d = drift(traffic({ seed: 1 }), traffic({ seed: 2 }));
  assert.equal(d.retrain, false, JSON.stringify(d));
  for (const f of d.features) assert.ok(f.psi < 0.1, `${f.name} ${f.psi}`);
});

test('more large images shift the size features', () => {
  const d = drift(traffic({ seed: 1 }), traffic({ seed: 2, bigShare: 0.7 }));
  assert.equal(d.retrain, true);
  assert.ok(d.reasons.includes('width shifted'), d.reasons.join());
});

test('a rise in target misses says retrain although the mix is unchanged', () => {
  const d = drift(traffic({ seed: 1 }), traffic({ seed: 2, miss: 0.15 }));
  assert.deepEqual(d.reasons, ['target misses rose']);
});
