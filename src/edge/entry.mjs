// The Worker's entry (wrangler.toml `main`): worker-build's output behind the trap guard, and
// the service-binding entrypoint `Bound` (see guard.mjs) for other Workers' JSON options.
import { WorkerEntrypoint } from 'cloudflare:workers';
import Shim from '../../build/worker/shim.mjs';
import { guarded, bound } from './guard.mjs';

export default guarded(Shim);
export const Bound = bound(Shim, WorkerEntrypoint);
