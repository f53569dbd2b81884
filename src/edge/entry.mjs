// The Worker's entry (wrangler.toml `main`): worker-build's output behind the trap guard.
import Shim from '../../build/worker/shim.mjs';
import { guarded } from './guard.mjs';

export default guarded(Shim);
