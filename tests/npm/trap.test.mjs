// Recovery after a trap (issue #8) in the npm package, on the test-only build
// (scripts/build-npm.sh --trap: feature test-trap, the release profile). `__testTrap: true`
// panics inside the engine right after decoding, as a decoder bug would; with panic=abort that
// is a wasm `unreachable` trap. The call must reject with a typed `internal` error and the next
// calls must be served by a fresh instance, byte for byte as before the trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { corpus, dims } from './helpers.mjs';

const TRAP_PKG = fileURLToPath(new URL('../../target/npm-trap/pkg/node.js', import.meta.url));
assert.ok(existsSync(TRAP_PKG), `${TRAP_PKG} missing: run scripts/build-npm.sh --trap`);
const { transform, inspect, EdgepixError } = await import(TRAP_PKG);
// The same module instance the package calls: its test-only export counts the transforms the
// current wasm instance has started, which tells a fresh instance from the one that trapped.
const { testTransformCount } = await import(new URL('wasm/edgepix_wasm.js', new URL(`file://${TRAP_PKG}`)).href);

const rain = corpus('photos/RainDrops.jpg');

/** Runs f with console.error captured (the panic hook prints the panic there). */
async function quiet(f) {
  const logged = [];
  const orig = console.error;
  console.error = (...a) => logged.push(a.join(' '));
  try {
    return { result: await f().then((v) => ({ ok: v }), (e) => ({ err: e })), logged };
  } finally {
    console.error = orig;
  }
}

test('a trap rejects that call with EdgepixError internal 500; the next calls work', async () => {
  const before = await transform(rain, { width: 320, format: 'webp' });
  for (let round = 0; round < 3; round++) {
    await transform(rain, { width: 40 });
    assert.ok(testTransformCount() >= 2, 'precondition: the instance has run transforms');
    const { result, logged } = await quiet(() => transform(rain, { width: 320, __testTrap: true }));
    assert.equal(testTransformCount(), 0, `round ${round}: a fresh instance runs after the trap`);
    const e = result.err;
    assert.ok(e instanceof EdgepixError, `round ${round}: ${e}`);
    assert.equal(e.code, 'internal');
    assert.equal(e.status, 500);
    assert.match(e.message, /restarted/);
    assert.ok(e.cause instanceof WebAssembly.RuntimeError, `cause: ${e.cause}`);
    assert.match(String(e.cause.message), /unreachable/);
    assert.ok(logged.some((l) => l.includes('test-trap: deliberate panic after decoding')), 'the panic message is logged');

    // The fresh instance gives the same bytes as the one before any trap did.
    const after = await transform(rain, { width: 320, format: 'webp' });
    assert.deepEqual(dims(after.bytes), { format: 'webp', width: 320, height: 200 });
    assert.deepEqual(after.bytes, before.bytes, `round ${round}: same output after the restart`);
    assert.equal(testTransformCount(), 1);
    assert.equal((await inspect(rain)).width, 1920);
  }
});

test('a trap with onProgress: stages up to the trap, then the typed error', async () => {
  const stages = [];
  const { result } = await quiet(() =>
    transform(rain, { width: 100, __testTrap: true, onProgress: (e) => stages.push(e.stage) }),
  );
  assert.equal(result.err && result.err.code, 'internal');
  assert.deepEqual(stages, ['read', 'init', 'decode'], 'the trap comes right after decoding');
  const ok = await transform(rain, { width: 100 });
  assert.equal(ok.width, 100);
});
