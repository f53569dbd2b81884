// The entry of the test-only bundle (build-trap/, feature test-trap): the same guard as the
// shipped entry (src/edge/entry.mjs) around the test build.
import Shim from '../../build-trap/worker/shim.mjs';
import { guarded } from '../../src/edge/guard.mjs';

export default guarded(Shim);
