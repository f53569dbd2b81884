import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transform, inspect, init, version, EdgepixError } from '../../pkg/node.js';
import { corpus, dims, metadata } from './helpers.mjs';

const rain = corpus('photos/RainDrops.jpg'); // 1920x1200 JPEG
const landscape6 = corpus('orientation/Landscape_6.jpg'); // stored 1200x1800, EXIF orientation 6
const dog = corpus('photos/dog_exif_extended_xmp_icc.jpg'); // 4032x3024, orientation 6, GPS EXIF, XMP, ICC

test('loads the wasm in node and reports a version', async () => {
  await init();
  assert.match(await version(), /^edgepix-\d+\.\d+\.\d+/);
});

test('resizes a JPEG: result shape and real header dimensions', async () => {
  const r = await transform(rain, { width: 640 });
  assert.equal(r.format, 'jpeg');
  assert.equal(r.mimeType, 'image/jpeg');
  assert.equal(r.width, 640);
  assert.equal(r.height, 400);
  assert.deepEqual(dims(r.bytes), { format: 'jpeg', width: 640, height: 400 });
  assert.ok(r.blob instanceof Blob);
  assert.equal(r.blob.type, 'image/jpeg');
  assert.equal(r.blob.size, r.bytes.length);
  for (const k of ['decode', 'resize', 'encode']) assert.equal(typeof r.timings[k], 'number');
  assert.ok(r.timings.decode > 0, 'decode timed');
  assert.deepEqual(r.input, { format: 'jpeg', width: 1920, height: 1200, bytes: rain.length, orientation: 1 });
});

test('converts to WebP and PNG', async () => {
  const w = await transform(rain, { width: 300, format: 'webp', quality: 70 });
  assert.equal(w.mimeType, 'image/webp');
  assert.deepEqual(dims(w.bytes), { format: 'webp', width: 300, height: 188 });
  const p = await transform(rain, { width: 120, height: 120, fit: 'cover', format: 'png' });
  assert.deepEqual(dims(p.bytes), { format: 'png', width: 120, height: 120 });
});

test('applies EXIF orientation: Landscape_6 comes out landscape 3:2', async () => {
  const info = await inspect(landscape6);
  assert.equal(info.width, 1800);
  assert.equal(info.height, 1200);
  const full = await transform(landscape6);
  assert.deepEqual(dims(full.bytes), { format: 'jpeg', width: 1800, height: 1200 });
  const small = await transform(landscape6, { width: 600 });
  assert.deepEqual(dims(small.bytes), { format: 'jpeg', width: 600, height: 400 });
  assert.equal(metadata(small.bytes).exif, false);
});

test('strips metadata by default (GPS EXIF, XMP), keeps it with preserveMetadata', async () => {
  assert.equal(metadata(dog).exif, true, 'the input has EXIF');
  assert.equal(metadata(dog).xmp, true, 'the input has XMP');
  const r = await transform(dog, { width: 800 });
  assert.deepEqual(metadata(r.bytes), { exif: false, xmp: false });
  // orientation 6 applied: 4032x3024 stored -> portrait
  assert.deepEqual(dims(r.bytes), { format: 'jpeg', width: 800, height: 1067 });
  const w = await transform(dog, { width: 400, format: 'webp' });
  assert.deepEqual(metadata(w.bytes), { exif: false, xmp: false });

  const kept = await transform(dog, { width: 800, preserveMetadata: true });
  assert.equal(metadata(kept.bytes).exif, true);
  assert.deepEqual(dims(kept.bytes), { format: 'jpeg', width: 800, height: 1067 });
  // The kept EXIF must not rotate the already-rotated pixels again.
  const reinfo = await inspect(kept.bytes);
  assert.equal(reinfo.width, 800);
  assert.equal(reinfo.height, 1067);
});

test('maxBytes: the output fits the budget', async () => {
  const plain = await transform(rain, { width: 1200 });
  const budget = Math.floor(plain.bytes.length / 2);
  const r = await transform(rain, { width: 1200, maxBytes: budget });
  assert.ok(r.bytes.length <= budget, `${r.bytes.length} > ${budget}`);
  assert.equal(r.width, 1200, 'quality is lowered before the size');
  assert.ok(r.notes.includes('maxBytes: quality lowered to fit'), r.notes.join());

  const tiny = await transform(rain, { width: 1200, maxBytes: 12_000 });
  assert.ok(tiny.bytes.length <= 12_000, `${tiny.bytes.length} > 12000`);
  assert.ok(tiny.width < 1200, 'size reduced when quality alone is not enough');
  assert.ok(tiny.notes.includes('maxBytes: size reduced to fit'), tiny.notes.join());
  const d = dims(tiny.bytes);
  assert.ok(Math.abs(d.width / d.height - 1.6) < 0.02, 'aspect kept');

  const webp = await transform(rain, { width: 800, format: 'webp', maxBytes: 20_000 });
  assert.ok(webp.bytes.length <= 20_000);
  assert.equal(webp.format, 'webp');
});

test('maxBytes: never larger than the input for the same format', async () => {
  const small = (await transform(rain, { width: 400, quality: 40 })).bytes;
  const plain = await transform(small, { quality: 100 });
  assert.ok(plain.bytes.length > small.length, 'quality 100 re-encode grows (precondition)');
  const r = await transform(small, { quality: 100, maxBytes: 10_000_000 });
  assert.ok(r.bytes.length <= small.length, `${r.bytes.length} > input ${small.length}`);
  assert.equal(r.format, 'jpeg');
});

test('maxBytes that nothing can meet rejects with output_too_large', async () => {
  await assert.rejects(transform(rain, { width: 100, maxBytes: 50 }), (e) => {
    assert.ok(e instanceof EdgepixError);
    assert.equal(e.code, 'output_too_large');
    assert.match(e.message, /maxBytes/);
    return true;
  });
});

test('AbortSignal: aborted before or during the call rejects with AbortError', async () => {
  const before = new AbortController();
  before.abort();
  await assert.rejects(transform(rain, { width: 100, signal: before.signal }), { name: 'AbortError' });
  await assert.rejects(inspect(rain, { signal: before.signal }), { name: 'AbortError' });

  const during = new AbortController();
  const p = transform(new Blob([rain]), { width: 100, signal: during.signal });
  during.abort();
  await assert.rejects(p, { name: 'AbortError' });

  // Aborted from onProgress, i.e. between steps.
  const mid = new AbortController();
  await assert.rejects(
    transform(rain, { width: 100, signal: mid.signal, onProgress: (e) => e.stage === 'init' && mid.abort() }),
    { name: 'AbortError' },
  );
  // A custom reason is passed through, as fetch() does.
  const custom = new AbortController();
  custom.abort(new Error('user cancelled'));
  await assert.rejects(transform(rain, { signal: custom.signal }), { message: 'user cancelled' });
});

test('onProgress: the engine reports decode, resize and encode as it enters them', async () => {
  const events = [];
  let res;
  await transform(rain, { width: 64, onProgress: (e) => events.push(e) }).then((r) => (res = r));
  assert.deepEqual(events.map((e) => e.stage), ['read', 'init', 'decode', 'resize', 'encode', 'done']);
  assert.deepEqual(events.map((e) => e.progress), [0, 0.05, 0.1, 0.45, 0.7, 1]);
  assert.equal(res.width, 64);
});

test('onProgress: each engine event marks the moment its stage began', async () => {
  // An implementation that reported the stages after the fact would put the decode and encode
  // events next to each other; the engine's own timings say how far apart they must be.
  const at = {};
  const r = await transform(dog, { width: 800, onProgress: (e) => (at[e.stage] = performance.now()) });
  const spent = r.timings.decode + r.timings.resize;
  assert.ok(spent > 20, `precondition: decode + resize of a 12 MP photo is measurable (${spent} ms)`);
  // 2 ms: the time between the engine reading its clock and the callback reading it.
  assert.ok(at.encode - at.decode >= spent - 2, `decode->encode events ${at.encode - at.decode} ms, engine ${spent} ms`);
  assert.ok(at.resize - at.decode >= r.timings.decode - 2, `decode->resize ${at.resize - at.decode} ms, engine ${r.timings.decode} ms`);
});

test('onProgress: a maxBytes search that encodes again reports fit; one that fits at once does not', async () => {
  const plain = await transform(rain, { width: 1200 });
  const stagesOf = async (opts) => {
    const stages = [];
    const r = await transform(rain, { ...opts, onProgress: (e) => stages.push(e.stage) });
    return { stages, r };
  };
  const search = await stagesOf({ width: 1200, maxBytes: Math.floor(plain.bytes.length / 2) });
  assert.ok(search.r.notes.includes('maxBytes: quality lowered to fit'), search.r.notes.join());
  assert.deepEqual(search.stages, ['read', 'init', 'decode', 'resize', 'encode', 'fit', 'done']);
  const fits = await stagesOf({ width: 1200, maxBytes: plain.bytes.length * 2 });
  assert.deepEqual(fits.r.notes, []);
  assert.deepEqual(fits.stages, ['read', 'init', 'decode', 'resize', 'encode', 'done']);
  // format=json needs no pixels: no engine stage at all.
  const json = await stagesOf({ width: 100, format: 'json' });
  assert.equal(json.r.mimeType, 'application/json');
  assert.deepEqual(json.stages, ['read', 'init', 'done']);
});

test('onProgress: a throwing callback does not fail the transform; a non-function is a bad option', async () => {
  const reported = [];
  const orig = console.error;
  console.error = (...a) => reported.push(a);
  let r;
  try {
    r = await transform(rain, {
      width: 50,
      onProgress: (e) => {
        throw new Error(`callback bug at ${e.stage}`);
      },
    });
  } finally {
    console.error = orig;
  }
  assert.deepEqual(dims(r.bytes), { format: 'jpeg', width: 50, height: 31 });
  assert.ok(reported.some((a) => a.some((x) => x instanceof Error && /callback bug at decode/.test(x.message))), 'reported');
  await assert.rejects(transform(rain, { onProgress: 'yes' }), { name: 'EdgepixError', code: 'bad_option', status: 400 });
  await assert.rejects(transform(rain, { signal: {} }), { name: 'EdgepixError', code: 'bad_option', status: 400 });
  const ok = await transform(rain, { width: 40, signal: null, onProgress: null });
  assert.equal(ok.width, 40);
});

test('AbortSignal: an abort while the engine runs drops its result', async () => {
  const ctl = new AbortController();
  const stages = [];
  await assert.rejects(
    transform(rain, {
      width: 300,
      signal: ctl.signal,
      onProgress: (e) => {
        stages.push(e.stage);
        if (e.stage === 'resize') ctl.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.deepEqual(stages, ['read', 'init', 'decode', 'resize', 'encode'], 'the engine ran to its end, then the result was dropped');
});

test('the shipped build has no test-trap hook: __testTrap is an unknown option', async () => {
  await assert.rejects(transform(rain, { __testTrap: true }), { name: 'EdgepixError', code: 'unknown_option', status: 400 });
});

test('bad options reject with EdgepixError naming the option', async () => {
  const cases = [
    [{ width: -5 }, 'bad_option', 'width'],
    [{ width: 'wide' }, 'bad_option', 'width'],
    [{ fit: 'sideways' }, 'bad_option', 'fit'],
    [{ quality: 0 }, 'bad_option', 'quality'],
    [{ format: 'bmp' }, 'bad_option', 'format'],
    [{ maxBytes: 'lots' }, 'bad_option', 'maxBytes'],
    [{ maxBytes: 0 }, 'bad_option', 'maxBytes'],
    [{ preserveMetadata: 'yes' }, 'bad_option', 'preserveMetadata'],
    [{ metadata: 'keep', preserveMetadata: true }, 'bad_option', 'preserveMetadata'],
    [{ widht: 100 }, 'unknown_option', 'widht'],
  ];
  for (const [opts, code, name] of cases) {
    await assert.rejects(transform(rain, opts), (e) => {
      assert.ok(e instanceof EdgepixError, `${JSON.stringify(opts)}: ${e}`);
      assert.equal(e.name, 'EdgepixError');
      assert.equal(e.code, code, JSON.stringify(opts));
      assert.equal(e.status, 400);
      assert.ok(e.message.includes(`'${name}'`), `${JSON.stringify(opts)}: ${e.message}`);
      return true;
    });
  }
});

test('not an image rejects with a typed error', async () => {
  await assert.rejects(transform(new TextEncoder().encode('hello, not an image')), (e) => {
    assert.ok(e instanceof EdgepixError);
    assert.equal(e.code, 'unsupported_format');
    assert.equal(e.status, 415);
    return true;
  });
  await assert.rejects(transform(rain.subarray(0, 4000)), (e) => e instanceof EdgepixError && e.code === 'corrupt_image');
  await assert.rejects(transform('not bytes'), TypeError);
});

test('accepts Blob, File, Uint8Array (incl. an offset view), ArrayBuffer and Buffer', async () => {
  const padded = new Uint8Array(rain.length + 16);
  padded.set(rain, 8);
  const inputs = {
    blob: new Blob([rain], { type: 'image/jpeg' }),
    file: new File([rain], 'rain.jpg', { type: 'image/jpeg' }),
    uint8: rain,
    view: padded.subarray(8, 8 + rain.length),
    arrayBuffer: rain.buffer.slice(rain.byteOffset, rain.byteOffset + rain.byteLength),
    buffer: Buffer.from(rain),
  };
  let first;
  for (const [kind, input] of Object.entries(inputs)) {
    const r = await transform(input, { width: 96 });
    assert.deepEqual(dims(r.bytes), { format: 'jpeg', width: 96, height: 60 }, kind);
    first ??= r.bytes;
    assert.deepEqual(r.bytes, first, `${kind}: same bytes as the others`);
  }
});

test('inspect returns header metadata', async () => {
  const info = await inspect(new Blob([dog]));
  assert.equal(info.width, 3024);
  assert.equal(info.height, 4032);
  assert.equal(info.original.format, 'image/jpeg');
  assert.equal(info.original.file_size, dog.length);
});
