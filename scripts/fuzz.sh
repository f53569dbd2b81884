#!/usr/bin/env bash
# Runs the cargo fuzz targets (fuzz/) one after another, each for SECONDS, after seeding their
# corpora from ../shared/corpus (scripts/fuzz-seeds.sh). Not part of scripts/test.sh.
#
#   bash scripts/fuzz.sh [--32] SECONDS [TARGET...]   targets: options probe transform (default: all)
#
# Default: x86_64 with AddressSanitizer. `--32` builds for i686-unknown-linux-gnu without a
# sanitizer: usize is 32 bits there as on wasm32, and cargo fuzz keeps overflow checks on, so
# length arithmetic that wraps on the shipped target panics here instead of looping (needs
# g++-multilib and the nightly i686 target). Both modes share fuzz/corpus/.
#
# Per target it records executions, exec/s, libFuzzer's final `cov:` and `ft:`, and the corpus
# size in target/fuzz-summary.tsv (target/fuzz-summary-i686.tsv with --32) and prints a markdown
# table; logs go to target/fuzz-logs/. A crash (panic, sanitizer report, timeout, out-of-memory)
# leaves its input in fuzz/artifacts/<target>/ and makes the exit status non-zero. After a crash
# the target starts again until SECONDS are used up (at most FUZZ_MAX_CRASHES times), so a
# known crash does not end a long run early; a corpus input that crashes is moved out of the
# corpus (its copy stays in fuzz/artifacts/), or every restart would stop on it again.
#
# Environment: FUZZ_TIMEOUT (s per input, default 20), FUZZ_RSS_MB (default 2048),
# FUZZ_MALLOC_MB (largest single allocation, default 256), FUZZ_MAX_CRASHES (default 50).
set -uo pipefail
cd "$(dirname "$0")/.."

build=()
suffix=""
if [ "${1:-}" = --32 ]; then
  shift
  build=(--target i686-unknown-linux-gnu -s none)
  suffix=-i686
  rustup target list --toolchain nightly --installed | grep -qx i686-unknown-linux-gnu ||
    rustup target add --toolchain nightly i686-unknown-linux-gnu || exit 1
  echo 'int main(){}' | g++ -m32 -x c++ - -o /dev/null 2>/dev/null ||
    { echo "fuzz: --32 needs a 32-bit C++ toolchain: apt-get install g++-multilib" >&2; exit 1; }
fi
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [--32] SECONDS [options|probe|transform ...]" >&2
  exit 2
fi
seconds=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(options probe transform)

bash scripts/fuzz-seeds.sh || exit 1
nice -n 10 cargo +nightly fuzz build "${build[@]}" || exit 1

mkdir -p target/fuzz-logs
summary=target/fuzz-summary$suffix.tsv
crashes=target/fuzz-crashes$suffix.tsv
printf 'target\tartifact\twhere\n' >"$crashes"
printf 'target\tseconds\texecutions\texec_per_s\tcov\tft\tcorpus_files\tcorpus_kb\tcrashes\n' >"$summary"
failed=0

# The first line that says where a crash happened: the panic's location and message, or the
# sanitizer's / libFuzzer's own summary (timeouts, out-of-memory).
crash_site() {
  local site
  site=$(grep -a -m1 -A1 'panicked at' "$1" | tr '\n' ' ' | sed 's/.*panicked at //; s/ *$//')
  [ -n "$site" ] || site=$(grep -a -m1 '^SUMMARY: \|ERROR: libFuzzer' "$1")
  echo "${site#"$PWD/"}"
}

# crash, timeout, out-of-memory and leak inputs written since MARKER (slow-unit-* are not crashes)
new_artifacts() {
  find "fuzz/artifacts/$1" -type f -newer "$2" \( -name 'crash-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'leak-*' \) -printf '%f\n'
}

for t in "${targets[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  marker=$(mktemp)
  extra=()
  [ "$t" = options ] && extra=(-dict=fuzz/options.dict)
  start=$SECONDS
  execs=0
  runs=0
  last_cov=""
  while :; do
    left=$((seconds - (SECONDS - start)))
    [ "$left" -gt 0 ] || break
    runs=$((runs + 1))
    log=target/fuzz-logs/$t$suffix.$runs.log
    echo "fuzz: $t for ${left}s (log $log)"
    nice -n 10 cargo +nightly fuzz run "${build[@]}" "$t" -- \
      -max_total_time="$left" -print_final_stats=1 \
      -timeout="${FUZZ_TIMEOUT:-20}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
      -malloc_limit_mb="${FUZZ_MALLOC_MB:-256}" "${extra[@]}" >"$log" 2>&1
    rc=$?
    n=$(grep -a '^stat::number_of_executed_units:' "$log" | awk '{print $2}' | tail -1)
    execs=$((execs + ${n:-0}))
    cov_line=$(grep -a ' cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    [ -n "$cov_line" ] && last_cov=$cov_line
    if [ "$rc" -eq 0 ]; then
      break
    fi
    if [ -z "$(new_artifacts "$t" "$marker")" ]; then
      echo "fuzz: $t exited with $rc without an artifact; see $log" >&2
      failed=1
      break
    fi
    where=$(crash_site "$log")
    echo "    $where"
    for a in $(new_artifacts "$t" "$marker"); do
      grep -q "^$t	$a	" "$crashes" || printf '%s\t%s\t%s\n' "$t" "$a" "$where" >>"$crashes"
      rm -f "fuzz/corpus/$t/${a#*-}"
    done
    [ "$runs" -lt "${FUZZ_MAX_CRASHES:-50}" ] || break
  done
  elapsed=$((SECONDS - start))
  found=$(new_artifacts "$t" "$marker" | tr '\n' ' ' | sed 's/ $//')
  rm -f "$marker"
  [ -z "$found" ] || failed=1
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last_cov")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last_cov")
  files=$(find "fuzz/corpus/$t" -type f | wc -l)
  kb=$(find "fuzz/corpus/$t" -type f -printf '%s\n' | awk '{s += $1} END {print int(s / 1024)}')
  per_s=$((execs / (elapsed > 0 ? elapsed : 1)))
  n_crashes=$(wc -w <<<"$found")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$elapsed" "$execs" "$per_s" "${cov:-?}" "${ft:-?}" \
    "$files" "$kb" "$n_crashes" >>"$summary"
done

echo
echo "fuzz summary ($summary; \`bash scripts/fuzz.sh ${suffix:+--32 }$seconds ${targets[*]}\`, $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo '| target | seconds | executions | exec/s | cov | ft | corpus files | corpus KB | crashes |'
echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
tail -n +2 "$summary" | while IFS=$'\t' read -r t s e p c f n k x; do
  echo "| $t | $s | $e | $p | $c | $f | $n | $k | $x |"
done
if [ "$(wc -l <"$crashes")" -gt 1 ]; then
  echo
  echo "crash inputs by site (fuzz/artifacts/<target>/, list in $crashes):"
  tail -n +2 "$crashes" | cut -f1,3 | sort | uniq -c | sort -rn | sed 's/^/  /'
fi
exit "$failed"
