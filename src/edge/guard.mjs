// The guard around worker-build's entry. A panic aborts on wasm32 (a trap). When it happens in
// the synchronous part of a request, the shim's fetch rejects with a WebAssembly.RuntimeError;
// when it happens after an await (where real work runs: a decoder, after the source arrived),
// it is thrown from a microtask, reported as an uncaught error, and the request's promise never
// settles: workerd then cancels it with its own text/plain 500 ("your Worker's code had hung").
// The guard answers both with edgepix's JSON 500 instead, and marks the instance as poisoned
// through the worker crate's flag (`__worker_init_state.criticalError`), so the next request
// runs on a fresh instance. A trap ends every request in flight on the instance: their futures
// lived in the trapped module.

/** Requests waiting on the current instance: each is failed when the instance traps. */
const waiting = new Set();

addEventListener('error', (event) => {
  if (!(event.error instanceof WebAssembly.RuntimeError)) return;
  if (globalThis.__worker_init_state) globalThis.__worker_init_state.criticalError = true;
  for (const fail of waiting) fail(event.error);
});

function trapResponse() {
  const body = JSON.stringify({
    error: {
      code: 'internal',
      status: 500,
      message: 'the engine stopped on this request (a bug, logged); the next request is served by a fresh instance',
    },
  });
  return new Response(body, {
    status: 500,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
      'x-content-type-options': 'nosniff',
    },
  });
}

/** Runs one request (`run()` returns the Response promise), answering a trap with JSON 500. */
async function guardedRun(run) {
  let fail;
  const trapped = new Promise((_, reject) => (fail = reject));
  waiting.add(fail);
  try {
    return await Promise.race([run(), trapped]);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    if (globalThis.__worker_init_state) globalThis.__worker_init_state.criticalError = true;
    console.error('edgepix: the engine trapped; the next request gets a fresh instance', e);
    return trapResponse();
  } finally {
    waiting.delete(fail);
  }
}

export function guarded(Shim) {
  return class Edgepix extends Shim {
    async fetch(request) {
      return guardedRun(() => super.fetch(request));
    }
  };
}

/**
 * The service-binding entrypoint (`entrypoint = "Bound"` in the calling Worker's binding).
 * Public traffic only ever reaches the default export; a named entrypoint is reachable only
 * through a service binding the operator configured. It takes Cloudflare's Workers shape,
 * `env.EDGEPIX.fetch(imageURL, { cf: { image: options } })`, and hands `cf.image` to the Rust
 * side as a function on a copy of the env (`__edgepixBoundOptions`, read in src/edge/mod.rs):
 * the one way the JSON option form, and `draw` with it, gets in. A header or a path would be
 * something a stranger could send to the default export; this env property is not.
 */
export function bound(Shim, WorkerEntrypoint) {
  return class Bound extends WorkerEntrypoint {
    async fetch(request) {
      const json = JSON.stringify(request.cf?.image ?? null);
      const env = Object.create(this.env, {
        __edgepixBoundOptions: { value: () => json },
      });
      const inner = new Shim(this.ctx, env);
      return guardedRun(() => inner.fetch(request));
    }
  };
}
