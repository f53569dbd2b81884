// edgepix demo page: plain ES modules on top of the npm package (copied to ./pkg by
// scripts/build-npm.sh). No build step.
import { transform, EdgepixError } from './pkg/index.js';
import { createWorker } from './pkg/worker.js';

const $ = (id) => document.getElementById(id);
const fmtBytes = (n) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(2)} MiB`;
const fmtMs = (n) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

// ---------- panel 1: the npm package in the browser ----------

let worker = null;
const getWorker = () => (worker ??= createWorker());

let source = null; // { file, url, width, height }
let running = null; // AbortController of the transform in flight
let resultUrl = null;

function setStatus(el, state, text) {
  el.dataset.state = state;
  el.textContent = text;
}

function readOptions() {
  const f = new FormData($('opts'));
  const o = {};
  for (const k of ['width', 'height', 'quality', 'maxBytes']) {
    const v = f.get(k);
    if (v !== null && v !== '') o[k] = Number(v);
  }
  for (const k of ['fit', 'format']) {
    const v = f.get(k);
    if (v) o[k] = v;
  }
  o.preserveMetadata = f.get('preserveMetadata') === 'on';
  return { options: o, useWorker: f.get('useWorker') === 'on' };
}

async function loadSource(file) {
  if (!file) return;
  if (source) URL.revokeObjectURL(source.url);
  const url = URL.createObjectURL(file);
  source = { file, url };
  const img = $('before-img');
  img.src = url;
  $('drop-text').textContent = file.name || 'dropped photo';
  await img.decode().catch(() => {});
  $('before-meta').textContent = `${img.naturalWidth || '?'}×${img.naturalHeight || '?'} · ${fmtBytes(file.size)} · ${file.type || 'unknown type'}`;
  run();
}

async function run() {
  if (!source) return;
  running?.abort();
  const ctl = new AbortController();
  running = ctl;
  const { options, useWorker } = readOptions();
  const where = useWorker ? 'Web Worker' : 'main thread';
  setStatus($('status'), 'running', `Transforming in the ${where}…`);
  const t0 = performance.now();
  try {
    const engine = useWorker ? getWorker() : { transform };
    // A newer run aborts this one: in the Web Worker that stops the engine at once.
    const onProgress = ({ stage }) => {
      if (running === ctl && stage !== 'done') setStatus($('status'), 'running', `Transforming in the ${where}: ${stage}…`);
    };
    const r = await engine.transform(source.file, { ...options, signal: ctl.signal, onProgress });
    const total = performance.now() - t0;
    if (resultUrl) URL.revokeObjectURL(resultUrl);
    resultUrl = URL.createObjectURL(r.blob);
    const img = $('after-img');
    img.src = resultUrl;
    await img.decode().catch(() => {});
    const saved = source.file.size ? Math.round((1 - r.bytes.length / source.file.size) * 100) : 0;
    const meta = $('after-meta');
    meta.textContent = `${r.width}×${r.height} · ${fmtBytes(r.bytes.length)} · ${r.mimeType}` +
      (saved > 0 ? ` · ${saved}% smaller` : '');
    meta.dataset.bytes = String(r.bytes.length);
    meta.dataset.width = String(r.width);
    meta.dataset.height = String(r.height);
    meta.dataset.format = r.format;
    $('timings').textContent = `decode ${fmtMs(r.timings.decode)} · resize ${fmtMs(r.timings.resize)} · ` +
      `encode ${fmtMs(r.timings.encode)} · total ${fmtMs(total)} (${where})` +
      (r.notes.length ? ` · note: ${r.notes.join('; ')}` : '');
    const dl = $('download');
    const base = (source.file.name || 'photo').replace(/\.[^.]*$/, '');
    dl.href = resultUrl;
    dl.download = `${base}-${r.width}x${r.height}.${r.format === 'jpeg' ? 'jpg' : r.format}`;
    dl.hidden = false;
    setStatus($('status'), 'done', `Done in the ${where}: ${fmtBytes(source.file.size)} → ${fmtBytes(r.bytes.length)}.`);
  } catch (e) {
    if (e.name === 'AbortError') return; // superseded by a newer run
    const text = e instanceof EdgepixError ? `${e.code} (${e.status}): ${e.message}` : String(e.message || e);
    setStatus($('status'), 'error', text);
  } finally {
    if (running === ctl) running = null;
  }
}

$('file').addEventListener('change', (e) => loadSource(e.target.files[0]));
const drop = $('drop');
for (const ev of ['dragenter', 'dragover']) {
  drop.addEventListener(ev, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
}
for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  loadSource(e.dataTransfer.files[0]);
});
let debounce;
$('opts').addEventListener('input', () => {
  clearTimeout(debounce);
  debounce = setTimeout(run, 250);
});
$('opts').addEventListener('submit', (e) => e.preventDefault());

// ---------- panel 2: /cdn-cgi/image URLs served by the local Worker ----------

let sample = null; // path of the selected sample, relative to the site root

function samplePath(entry) {
  const f = String(entry.file).replace(/^\/+/, '');
  return f.startsWith('samples/') ? f : `samples/${f}`;
}

async function loadSamples() {
  const box = $('samples');
  let list;
  try {
    const res = await fetch('samples/manifest.json', { cache: 'no-cache' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    list = await res.json();
    if (!Array.isArray(list) || list.length === 0) throw new Error('the manifest lists no samples');
  } catch (e) {
    box.classList.add('missing');
    box.innerHTML = '';
    const p = document.createElement('p');
    p.innerHTML = `No sample photos found (<code>samples/manifest.json</code>: ${e.message}). ` +
      'Start the local Worker with <code>scripts/dev.sh</code> (it runs ' +
      '<code>scripts/prepare-samples.sh</code>, which writes <code>www/samples/</code>) and open ' +
      'this page from it: the URL builder needs the Worker to serve <code>/cdn-cgi/image/</code>.';
    box.append(p);
    buildUrl();
    return;
  }
  box.innerHTML = '';
  for (const [i, entry] of list.entries()) {
    const path = samplePath(entry);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'sample';
    b.dataset.path = path;
    const thumb = document.createElement('img');
    thumb.loading = 'lazy';
    thumb.alt = '';
    const src = `/cdn-cgi/image/width=160,height=120,fit=cover,format=auto/${path}`;
    thumb.src = src;
    // A busy Worker answers 503 with Retry-After (its in-flight memory cap): try again a few
    // times before giving up on the thumbnail. Errors are never cached, so setting src again
    // asks the Worker again.
    let tries = 0;
    thumb.onerror = () => {
      if (++tries > 3) return thumb.remove();
      setTimeout(() => (thumb.src = src), 1000 * tries);
    };
    const label = document.createElement('span');
    label.textContent = `${entry.name} · ${entry.width}×${entry.height} · ${fmtBytes(entry.bytes)}`;
    b.append(thumb, label);
    b.addEventListener('click', () => selectSample(path));
    box.append(b);
    if (i === 0) sample = path;
  }
  selectSample(sample);
}

function selectSample(path) {
  sample = path;
  for (const b of document.querySelectorAll('.sample')) b.classList.toggle('selected', b.dataset.path === path);
  buildUrl();
}

function urlOptions() {
  const f = new FormData($('url-opts'));
  const parts = [];
  for (const k of ['width', 'height', 'fit', 'format', 'quality', 'metadata']) {
    const v = f.get(k);
    if (v !== null && v !== '') parts.push(`${k}=${encodeURIComponent(v)}`);
  }
  return parts.join(',');
}

let urlRun = 0;
async function buildUrl() {
  const opts = urlOptions() || 'format=auto';
  const url = sample ? `/cdn-cgi/image/${opts}/${sample}` : `/cdn-cgi/image/${opts}/<source>`;
  $('url').textContent = url;
  const open = $('open-url');
  const img = $('url-img');
  if (!sample) {
    open.removeAttribute('href');
    img.removeAttribute('src');
    return;
  }
  open.href = url;
  const id = ++urlRun;
  setStatus($('url-status'), 'running', 'Fetching from the local Worker…');
  const t0 = performance.now();
  try {
    // fetch() sends Accept: */*; ask like an <img> does, so format=auto negotiates the same.
    const res = await fetch(url, { headers: { accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8' } });
    const blob = await res.blob();
    if (id !== urlRun) return;
    const ms = performance.now() - t0;
    if (!res.ok) {
      setStatus($('url-status'), 'error', `HTTP ${res.status}: ${(await blob.text()).slice(0, 300)}`);
      img.removeAttribute('src');
      return;
    }
    const type = res.headers.get('content-type') || blob.type;
    if (type.includes('json')) {
      img.removeAttribute('src');
      setStatus($('url-status'), 'done', `${type} · ${(await blob.text()).slice(0, 400)}`);
      return;
    }
    if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(blob);
    await img.decode().catch(() => {});
    const cache = res.headers.get('cf-cache-status') || res.headers.get('x-edgepix-cache') || '';
    setStatus($('url-status'), 'done',
      `${img.naturalWidth}×${img.naturalHeight} · ${fmtBytes(blob.size)} · ${type} · ${fmtMs(ms)}` +
      (cache ? ` · cache ${cache}` : ''));
  } catch (e) {
    if (id === urlRun) setStatus($('url-status'), 'error', `Could not reach the Worker: ${e.message}`);
  }
}

let urlDebounce;
$('url-opts').addEventListener('input', () => {
  clearTimeout(urlDebounce);
  urlDebounce = setTimeout(buildUrl, 300);
});
$('url-opts').addEventListener('submit', (e) => e.preventDefault());

loadSamples();
