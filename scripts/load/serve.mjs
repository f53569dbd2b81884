// Starts the test origin (tests/worker/harness.mjs: corpus and tests/data over loopback) and a
// `wrangler dev` of the built Worker with the debug memory header, prints one JSON line
// {"worker": URL, "origin": URL}, and runs until it gets SIGTERM. Used by the load scripts.
// With ORIGIN_COUNTS=<file>, it writes the origin's fetches per path there every second (JSON;
// paths over 100 characters are cut to their first 60 and counted together, as "<prefix>...").
import path from 'node:path';
import fs from 'node:fs';
import { startOrigin, startWrangler, writeTestConfig, tmpDir } from '../../tests/worker/harness.mjs';

const dir = tmpDir('edgepix-load-');
const origin = await startOrigin();
const vars = { ALLOWED_ORIGINS: `${origin.base}/**`, DEBUG_MEMORY_HEADER: 'true' };
for (const kv of process.argv.slice(2)) {
  const [k, v] = kv.split('=');
  vars[k] = v;
}
const wr = await startWrangler({ config: writeTestConfig(dir), persist: path.join(dir, 'state'), vars });
console.log(JSON.stringify({ worker: wr.url, origin: origin.base }));
const stop = async () => {
  await wr.stop();
  await origin.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const countsFile = process.env.ORIGIN_COUNTS;
setInterval(() => {
  if (!countsFile) return;
  const counts = {};
  for (const r of origin.log) {
    const p = r.path.length > 100 ? `${r.path.slice(0, 60)}...` : r.path;
    counts[p] = (counts[p] || 0) + 1;
  }
  fs.writeFileSync(countsFile, JSON.stringify(counts));
}, 1000);
