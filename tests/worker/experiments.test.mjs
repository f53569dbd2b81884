// A/B experiments end to end in workerd (issue #11): deterministic arms per image and per
// user, the arm in the key and in x-edgepix-arm, per-user arms kept out of shared caches, and
// one event per response that scripts/experiment-report.mjs can read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';
import { parseEvents, report } from '../../scripts/experiment-report.mjs';
import { imageInfo } from './imageinfo.mjs';

const EXPERIMENTS = [
  { id: 'img', share: 1, unit: 'image', arms: [{ name: 'control' }, { name: 'q40', options: 'quality=40' }] },
  { id: 'u', share: 1, unit: 'user', user_key: 'cookie:uid', arms: [{ name: 'a' }, { name: 'b', options: 'width=120' }] },
];

let origin;
let wr;
let dir;
before(async () => {
  origin = await startOrigin();
  dir = tmpDir();
  wr = await startWrangler({
    config: writeTestConfig(dir),
    persist: path.join(dir, 'state'),
    logLevel: 'log',
    vars: { ALLOWED_ORIGINS: `${origin.base}/**`, EXPERIMENTS: JSON.stringify(EXPERIMENTS) },
  });
});
after(async () => {
  await wr?.stop();
  await origin?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let requests = 0;
async function get(url, headers = {}) {
  requests++;
  const r = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, h: r.headers, body };
}
// one photo under 16 source URLs: 16 image units
const src = (i) => `${origin.base}/cc/public%2C%20max-age%3D${3600 + i}/c/photos/RainDrops.jpg`;
const img = (i, opts = 'width=300,format=jpeg') => `${wr.url}/cdn-cgi/image/${opts}/${src(i)}`;

const armOf = new Map();
test('image unit: every source has one arm, both arms occur, the q40 arm spends fewer bytes', async () => {
  const sizes = { control: [], q40: [] };
  for (let i = 0; i < 16; i++) {
    const a = await get(img(i));
    assert.equal(a.status, 200);
    const arm = a.h.get('x-edgepix-arm');
    assert.match(arm, /^img=(control|q40)$/);
    assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
    assert.ok(!a.h.get('vary')?.includes('Cookie'));
    assert.match(a.h.get('cache-control'), /^public/);
    const b = await get(img(i));
    assert.equal(b.h.get('x-edgepix-arm'), arm, 'assignment changed between requests');
    assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
    sizes[arm.slice(4)].push(a.body.length);
    armOf.set(i, arm);
  }
  assert.ok(sizes.control.length > 0 && sizes.q40.length > 0, JSON.stringify(sizes));
  assert.ok(Math.max(...sizes.q40) < Math.min(...sizes.control), JSON.stringify(sizes));
});

test('user unit: the arm follows the cookie, varies on Cookie, stays private, and arms never share an entry', async () => {
  const seen = new Map();
  for (let uid = 1; uid <= 12 && seen.size < 2; uid++) {
    const r = await get(img(0), { cookie: `theme=dark; uid=${uid}` });
    assert.equal(r.status, 200);
    const m = /(?:^|;)u=(a|b)(?:;|$)/.exec(r.h.get('x-edgepix-arm'));
    assert.ok(m, r.h.get('x-edgepix-arm'));
    assert.match(r.h.get('vary'), /Cookie/);
    assert.match(r.h.get('cache-control'), /^private/);
    const again = await get(img(0), { cookie: `uid=${uid}` });
    assert.equal(again.h.get('x-edgepix-arm'), r.h.get('x-edgepix-arm'));
    if (!seen.has(m[1])) seen.set(m[1], { uid, r });
  }
  assert.equal(seen.size, 2, 'twelve users all fell in one arm');
  // arm b resizes to 120 px: the two arms' bytes differ, so they cannot have shared an entry
  assert.equal(imageInfo(seen.get('b').r.body).width, 120);
  assert.equal(imageInfo(seen.get('a').r.body).width, 300);
  // no cookie: outside the user experiment, no Vary on Cookie
  const anon = await get(img(0));
  assert.ok(!/u=/.test(anon.h.get('x-edgepix-arm')));
  assert.ok(!anon.h.get('vary')?.includes('Cookie'));
});

test('one event per response, every field typed, nothing that identifies; the report reads them', async () => {
  // a quality=auto answer logs its policy, the target it predicts and the score it measured
  const control = [...armOf].find(([, a]) => a === 'img=control')[0];
  const auto = await get(img(control, 'width=320,format=jpeg,quality=auto'));
  assert.equal(auto.status, 200);
  await new Promise((r) => setTimeout(r, 500));
  const out = wr.output();
  const events = parseEvents(out);
  assert.equal(events.length, requests, `${events.length} events for ${requests} requests in:\n${out.slice(-2000)}`);
  for (const e of events) {
    assert.match(e.unit, /^[0-9a-f]{16}$/);
    assert.ok(['image', 'user'].includes(e.unit_kind));
    assert.ok(['HIT', 'MISS', 'STALE', 'ERROR'].includes(e.cache), e.cache);
    for (const k of ['status', 'bytes_in', 'bytes_out', 'width', 'height', 'decode_ms', 'resize_ms', 'encode_ms', 'sample_rate', 'ts'])
      assert.equal(typeof e[k], 'number', k);
    for (const k of ['quality', 'predicted_score', 'measured_score']) assert.ok(e[k] === null || typeof e[k] === 'number', k);
    if (e.cache === 'MISS') assert.ok(e.bytes_in > 0 && e.encode_ms >= 0 && e.width > 0);
  }
  assert.ok(!/edgepix_event[^\n]*(127\.0\.0\.1|RainDrops|uid=)/.test(out), 'an event carries a URL or a cookie');
  const decided = events.find((e) => e.cache === 'MISS' && e.policy !== 'fixed' && e.policy !== '');
  assert.ok(decided, 'no event of the quality=auto answer');
  assert.equal(decided.predicted_score, 70);
  assert.equal(typeof decided.quality, 'number');
  const results = report(events, { configs: EXPERIMENTS, iterations: 200 });
  const imgExp = results.find((r) => r.id === 'img');
  assert.ok(imgExp && imgExp.arms.every((a) => a.units > 0));
  assert.ok(imgExp.arms[1].bytes < imgExp.arms[0].bytes);
});
