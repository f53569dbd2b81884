// The Worker's entry (wrangler.toml `main`): the engine (built by scripts/build-worker.sh) behind
// the trap guard, and the service-binding entrypoint `Bound` (see guard.mjs) for other Workers'
// JSON options. wrangler bundles this file with the engine module and its .wasm.
import { WorkerEntrypoint } from 'cloudflare:workers';
import * as engine from '../../build/index.js';
import { engineEntrypoint, guarded, bound } from './guard.mjs';

const Engine = engineEntrypoint(engine, WorkerEntrypoint);
export default guarded(Engine);
export const Bound = bound(Engine, WorkerEntrypoint);
