#!/usr/bin/env bash
# Runs the cargo fuzz targets (fuzz/) one after another, each for SECONDS, after seeding their
# corpora from ../shared/corpus (scripts/fuzz-seeds.sh). Not part of scripts/test.sh.
#
#   bash scripts/fuzz.sh SECONDS [TARGET...]      targets: options probe transform (default: all)
#
# Per target it records executions, exec/s, libFuzzer's final `cov:` and `ft:`, and the corpus
# size in target/fuzz-summary.tsv and prints a markdown table; logs go to target/fuzz-logs/.
# A crash (panic, sanitizer report, timeout, out-of-memory) leaves its input in
# fuzz/artifacts/<target>/ and makes the exit status non-zero. After a crash the target is
# started again on its corpus until SECONDS are used up (at most FUZZ_MAX_CRASHES times), so a
# known crash does not end a long run early.
#
# Environment: FUZZ_TIMEOUT (s per input, default 20), FUZZ_RSS_MB (default 2048),
# FUZZ_MALLOC_MB (largest single allocation, default 256), FUZZ_MAX_CRASHES (default 5).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [options|probe|transform ...]" >&2
  exit 2
fi
seconds=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(options probe transform)

bash scripts/fuzz-seeds.sh || exit 1
nice -n 10 cargo +nightly fuzz build || exit 1

mkdir -p target/fuzz-logs
summary=target/fuzz-summary.tsv
printf 'target\tseconds\texecutions\texec_per_s\tcov\tft\tcorpus_files\tcorpus_kb\tcrashes\n' >"$summary"
failed=0
declare -A crash_files

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
    log=target/fuzz-logs/$t.$runs.log
    echo "fuzz: $t for ${left}s (log $log)"
    nice -n 10 cargo +nightly fuzz run "$t" -- \
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
    grep -a -m1 -A3 "panicked at\|ERROR: AddressSanitizer\|ERROR: libFuzzer" "$log" | sed 's/^/    /'
    [ "$runs" -lt "${FUZZ_MAX_CRASHES:-5}" ] || break
  done
  elapsed=$((SECONDS - start))
  found=$(new_artifacts "$t" "$marker" | tr '\n' ' ' | sed 's/ $//')
  rm -f "$marker"
  crash_files[$t]=$found
  [ -z "$found" ] || failed=1
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last_cov")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last_cov")
  files=$(find "fuzz/corpus/$t" -type f | wc -l)
  kb=$(du -sk "fuzz/corpus/$t" | cut -f1)
  per_s=$((execs / (elapsed > 0 ? elapsed : 1)))
  crashes=$(wc -w <<<"$found")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$elapsed" "$execs" "$per_s" "${cov:-?}" "${ft:-?}" \
    "$files" "$kb" "$crashes" >>"$summary"
done

echo
echo "fuzz summary ($summary; \`bash scripts/fuzz.sh $seconds ${targets[*]}\`, $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo '| target | seconds | executions | exec/s | cov | ft | corpus files | corpus KB | crashes |'
echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
tail -n +2 "$summary" | while IFS=$'\t' read -r t s e p c f n k x; do
  echo "| $t | $s | $e | $p | $c | $f | $n | $k | $x |"
done
for t in "${targets[@]}"; do
  [ -z "${crash_files[$t]}" ] || echo "crash inputs in fuzz/artifacts/$t/: ${crash_files[$t]}"
done
exit "$failed"
