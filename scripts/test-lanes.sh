#!/usr/bin/env bash
# `npm test` after setup: every jest project, in two lanes that share nothing.
#   main lane: integration, then browser (one platform: fixed ports, one control plane, in band).
#   side lane: typecheck, then unit, k8s, containers and the short fault drill (no sidecar of the
#              platform, no port of it: docs/ports.md; the drill runs a platform of its own), at nice 10 so the timing-sensitive main lane keeps the CPU it needs.
# The integration tier mostly waits on reminders, timers and retries, so the side lane runs in its
# idle time instead of after it (about three minutes less on a 2-core machine). The side lane's
# output goes to a file and is printed when both lanes are done; the last line sums both lanes.
# HOLDFAST_TEST_LANES=1 runs the same steps one after the other (side lane first), as before.
set -uo pipefail
cd "$(dirname "$0")/.."

log_dir=.data/test-logs
mkdir -p "$log_dir"
side_log="$log_dir/side-lane.log"
main_log="$log_dir/main-lane.log"
jest=(node_modules/.bin/jest --runInBand)

side_lane() {
  npm run --silent typecheck && echo "typecheck: clean" || return 1
  "${jest[@]}" --selectProjects unit k8s containers drill
}
if [[ "${1:-}" == "--side" ]]; then side_lane; exit; fi

started=$(date +%s)
if [[ "${HOLDFAST_TEST_LANES:-2}" == "1" ]]; then
  side_lane 2>&1 | tee "$side_log"; side_status=${PIPESTATUS[0]}
  "${jest[@]}" --selectProjects integration browser 2>&1 | tee "$main_log"; main_status=${PIPESTATUS[0]}
else
  echo "npm test: side lane (typecheck, unit, k8s, containers, drill) runs beside integration and browser; its output: $side_log"
  nice -n 10 bash "$0" --side >"$side_log" 2>&1 < /dev/null &
  side_pid=$!
  "${jest[@]}" --selectProjects integration browser 2>&1 | tee "$main_log"; main_status=${PIPESTATUS[0]}
  wait "$side_pid"; side_status=$?
  echo
  echo "===== side lane (typecheck, unit, k8s, containers, drill): exit $side_status ====="
  cat "$side_log"
fi

# Both lanes' summary lines ("Tests: N passed, N failed"), added up: the one line CI reads.
read -r passed failed < <(grep -hE '^Tests: [0-9]+ passed, [0-9]+ failed' "$side_log" "$main_log" \
  | awk '{ p += $2; f += $4 } END { print p + 0, f + 0 }')
# A lane that stopped before jest summed up (typecheck errors, a crash) counts as one failure.
for lane in "$side_log" "$main_log"; do grep -qE '^Tests: [0-9]+ passed' "$lane" || failed=$((failed + 1)); done
echo
echo "Tests: $passed passed, $failed failed (both lanes, $(( $(date +%s) - started )) s; main lane exit $main_status, side lane exit $side_status)"
[[ $main_status -eq 0 && $side_status -eq 0 ]]
