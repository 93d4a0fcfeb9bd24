#!/usr/bin/env bash
# The exposition writer's and the monitor's renderers' output as Prometheus itself reads it: `promtool check metrics` must
# parse the sample document and find nothing to lint. Skips (77) without promtool
# (apt-get install prometheus).
set -euo pipefail
# Usage: check_promtool.sh SAMPLE_PROGRAM [metrics|probe]: which document the program writes.
sample=$1
mode=${2:-metrics}
case $mode in
  probe) types="gauge" ;;  # a /probe answer has only gauges, as blackbox_exporter's
  *) types="counter gauge histogram" ;;
esac
if ! command -v promtool >/dev/null; then
  echo "promtool not found: apt-get install prometheus"
  exit 77
fi
document=$("$sample" "$mode")
# A sanity check that the document is the one meant: every family type made it out.
for type in $types; do
  grep -q "^# TYPE [a-z_]* $type\$" <<<"$document" || { echo "no $type family in the sample"; exit 1; }
done
status=0
report=$(promtool check metrics <<<"$document" 2>&1) || status=$?
if [[ $status -ne 0 || -n $report ]]; then
  echo "promtool check metrics: exit $status"
  echo "$report"
  echo "-- the document:"
  echo "$document"
  exit 1
fi
echo "promtool accepts $(wc -l <<<"$document") lines"
