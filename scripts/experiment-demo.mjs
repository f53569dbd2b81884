#!/usr/bin/env node
// An experiment end to end on the local Worker (README, "An experiment end to end"):
// configure, send traffic, export the events, report.
//
//   node scripts/experiment-demo.mjs [--experiments FILE] [--out events.log]
//
// Needs the built Worker (scripts/build-worker.sh; scripts/dev.sh or the tests build it). It
// starts `wrangler dev` with EXPERIMENTS set and a local origin serving the corpus photos
// (../shared/corpus/photos: Kodak-24, Wikipedia and the other photos), requests every photo at
// three widths with format=auto, each a few times (the later ones are cache hits), writes the
// Worker's event lines to --out, and prints scripts/experiment-report.mjs's table.
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWrangler, writeTestConfig, tmpDir, CORPUS } from '../tests/worker/harness.mjs';
import { parseEvents } from './experiment-report.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const experiments = arg('--experiments')
  ? JSON.parse(fs.readFileSync(arg('--experiments'), 'utf8'))
  : [{ id: 'q', share: 1, unit: 'image', arms: [{ name: 'control' }, { name: 'q70', options: 'quality=70' }] }];
const out = arg('--out', 'events.log');

const photos = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(jpe?g|png)$/i.test(e.name)) photos.push(path.relative(CORPUS, p));
  }
})(path.join(CORPUS, 'photos'));
photos.sort();

const origin = await startOrigin();
const dir = tmpDir('edgepix-experiment-');
const wr = await startWrangler({
  config: writeTestConfig(dir),
  persist: path.join(dir, 'state'),
  logLevel: 'log',
  vars: { ALLOWED_ORIGINS: `${origin.base}/**`, EXPERIMENTS: JSON.stringify(experiments) },
});
let requests = 0;
try {
  console.log(`EXPERIMENTS=${JSON.stringify(experiments)}`);
  console.log(`traffic: ${photos.length} photos x widths 400, 800, 1200 (format=auto, Accept: WebP), 1-4 requests each`);
  for (const [i, p] of photos.entries()) {
    for (const w of [400, 800, 1200]) {
      const repeats = 1 + ((i * 7 + w) % 4);
      for (let k = 0; k < repeats; k++) {
        const r = await fetch(`${wr.url}/cdn-cgi/image/width=${w},format=auto/${origin.base}/c/${p}`, {
          headers: { accept: 'image/webp,*/*' },
          signal: AbortSignal.timeout(60_000),
        });
        await r.arrayBuffer();
        requests++;
      }
    }
  }
  await new Promise((r) => setTimeout(r, 500));
} finally {
  await wr.stop();
  await origin.close();
}
const lines = wr
  .output()
  .split('\n')
  .filter((l) => l.includes('edgepix_event '));
fs.writeFileSync(out, lines.join('\n') + '\n');
fs.rmSync(dir, { recursive: true, force: true });
const events = parseEvents(lines.join('\n'));
console.log(`${requests} requests, ${events.length} events written to ${out}\n`);
console.log(`$ node scripts/experiment-report.mjs --experiments ${path.join(path.dirname(out), "experiments.json")} ${out}`);
const { execFileSync } = await import('node:child_process');
const cfgFile = path.join(path.dirname(path.resolve(out)), 'experiments.json');
fs.writeFileSync(cfgFile, JSON.stringify(experiments));
process.stdout.write(
  execFileSync(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), 'experiment-report.mjs'), '--experiments', cfgFile, out]),
);
