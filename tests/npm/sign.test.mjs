// sign() in the npm package's node entry agrees with the CLI's `edgepix sign` (Rust's HMAC) on
// the vector tests/cli.rs pins, and signs variants by name and expiries after the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from '../../pkg/node.js';

test('sign() makes the signature the CLI and the Worker expect', () => {
  assert.equal(
    sign({ key: 'k', options: 'width=640', source: 'https://a.example/x.jpg' }),
    '/cdn-cgi/image/width=640,sig=zhJbvA6J-_53PI11JlC9_egXtw277sJ-_4r3DKCoHl0/https://a.example/x.jpg',
  );
  const withExp = sign({ key: 'k', variant: 'thumb', source: 'samples/a.jpg', expires: 1800000000 });
  assert.match(withExp, /^\/cdn-cgi\/image\/thumb,exp=1800000000,sig=[A-Za-z0-9_-]{43}\/samples\/a\.jpg$/);
  assert.throws(() => sign({ options: 'width=1', source: 'a.jpg' }), TypeError);
});
