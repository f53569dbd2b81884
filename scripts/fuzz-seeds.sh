#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs (git-ignored; the corpus images never enter git):
#   options    one file per line of fuzz/seeds/options/*.txt (real option strings, URL and JSON form)
#   probe      every image row of ../shared/corpus/MANIFEST.tsv under SEED_MAX_BYTES, as it is
#   transform  the same images, each with one byte appended: the last byte picks the option
#              string (edgepix_fuzz::TRANSFORM_OPTIONS), cycled so every option string gets seeds
# Files are named by the SHA-1 of their content, as libFuzzer names what it adds, so running
# this again adds nothing twice and keeps what the fuzzer found.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=../shared/corpus
max=${SEED_MAX_BYTES:-204800}
[ -f "$corpus/MANIFEST.tsv" ] || { echo "fuzz-seeds: $corpus/MANIFEST.tsv not found" >&2; exit 1; }
# keep in step with TRANSFORM_OPTIONS in fuzz/src/lib.rs
n_options=$(grep -c '^    "' <(sed -n '/^pub const TRANSFORM_OPTIONS/,/^];/p' fuzz/src/lib.rs))

mkdir -p fuzz/corpus/options fuzz/corpus/probe fuzz/corpus/transform
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# put FILE into DIR under its SHA-1
put() {
  local sum
  sum=$(sha1sum "$1" | cut -d' ' -f1)
  [ -e "$2/$sum" ] || cp "$1" "$2/$sum"
}

for list in fuzz/seeds/options/*.txt; do
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s' "$line" >"$tmp/opt"
    put "$tmp/opt" fuzz/corpus/options
  done <"$list"
done

i=0
while IFS=$'\t' read -r path bytes _; do
  [ "$bytes" -lt "$max" ] || continue
  put "$corpus/$path" fuzz/corpus/probe
  cp "$corpus/$path" "$tmp/img"
  printf "\\$(printf '%03o' $((i % n_options)))" >>"$tmp/img"
  put "$tmp/img" fuzz/corpus/transform
  i=$((i + 1))
done < <(tail -n +2 "$corpus/MANIFEST.tsv")

for t in options probe transform; do
  printf 'fuzz/corpus/%s: %s files\n' "$t" "$(find fuzz/corpus/$t -type f | wc -l)"
done
