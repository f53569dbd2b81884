#!/usr/bin/env bash
# End-to-end tests of the Worker in local workerd: builds the bundle (and the test-only trap
# bundle) and the npm package for the demo page when sources changed, prepares the sample
# photos, then runs node's test runner over tests/worker/*.test.mjs. Every process the tests start (wrangler dev, workerd, the origin)
# is killed by process group.
set -euo pipefail
cd "$(dirname "$0")/.."
# Unit tests of the adapter's pure parts (source rules, allowlist, freshness, in-flight), natively.
cargo test --quiet --features worker --lib edge::
scripts/build-worker.sh
scripts/build-worker.sh --trap
# The demo page test (tests/worker/demo.test.mjs) opens the page the Worker serves, which
# imports www/pkg; after scripts/test-npm.sh this is a no-op ("up to date").
scripts/build-npm.sh
scripts/prepare-samples.sh
exec node --test --test-concurrency=1 --test-reporter=spec tests/report/*.test.mjs tests/worker/*.test.mjs
