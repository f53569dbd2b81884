// Node entry (picked through the "node" export condition): reads the wasm file from disk,
// since node's fetch() does not load file: URLs. Everything else is the browser module.
import { readFile } from 'node:fs/promises';
import { createHmac } from 'node:crypto';
import { _setDefaultSource } from './index.js';

_setDefaultSource(() => readFile(new URL('./wasm/edgepix_wasm_bg.wasm', import.meta.url)));

export * from './index.js';

/**
 * Signs an edgepix (Cloudflare Images URL format) request for a Worker that has SIGNING_KEYS:
 * HMAC-SHA256 over the canonical options (or a variant's name), a newline, the source as it
 * appears in the URL and, with `expires`, a newline and the expiry (docs/CACHING.md). Node
 * only: a browser must never hold the secret.
 * @param {{key: string, options?: string, variant?: string, source: string, expires?: number}} o
 *   `options` in the URL form and canonical (the engine's `canonical()`, e.g. "width=640,format=auto");
 *   `expires`: Unix seconds.
 * @returns {string} the path to request, `/cdn-cgi/image/<options>,[exp=..,]sig=../<source>`
 */
export function sign({ key, options, variant, source, expires }) {
  if (!key) throw new TypeError('edgepix sign(): key is required');
  if (!source) throw new TypeError('edgepix sign(): source is required');
  const signed = variant ?? options ?? '';
  const message = expires === undefined ? `${signed}\n${source}` : `${signed}\n${source}\n${expires}`;
  const sig = createHmac('sha256', key).update(message).digest('base64url');
  const parts = [signed, expires === undefined ? '' : `exp=${expires}`, `sig=${sig}`].filter(Boolean);
  return `/cdn-cgi/image/${parts.join(',')}/${source}`;
}
