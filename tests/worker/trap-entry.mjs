// The entry of the test-only bundle (build-trap/, feature test-trap): the same entrypoint and
// guard as the shipped entry (src/edge/entry.mjs) around the test build.
import { WorkerEntrypoint } from 'cloudflare:workers';
import * as engine from '../../build-trap/index.js';
import { engineEntrypoint, guarded } from '../../src/edge/guard.mjs';

export default guarded(engineEntrypoint(engine, WorkerEntrypoint));
