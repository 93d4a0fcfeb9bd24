#!/usr/bin/env bash
# What GzipWriter makes of /metrics as another program reads it: Python's gzip module (zlib; it
# checks the trailer's CRC-32 and length) must give back, byte for byte, the document the sample
# program writes plain — once, and 300 times over (a member of many deflate blocks). Skips (77)
# without python3.
set -euo pipefail
# Usage: check_gzip.sh SAMPLE_PROGRAM
sample=$1
if ! command -v python3 >/dev/null; then
  echo "python3 not found"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$sample" metrics >"$work/plain"
for times in 1 300; do
  "$sample" gzip "$times" >"$work/body.gz"
  : >"$work/expected"
  for ((i = 0; i < times; ++i)); do cat "$work/plain" >>"$work/expected"; done
  python3 -c 'import gzip, sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1], "rb").read()))' \
    "$work/body.gz" >"$work/back"
  if ! cmp -s "$work/back" "$work/expected"; then
    echo "gzip x$times: python3 reads back $(wc -c <"$work/back") bytes, not the $(wc -c <"$work/expected") written"
    cmp "$work/back" "$work/expected" || true
    exit 1
  fi
  echo "gzip x$times: $(wc -c <"$work/expected") bytes in $(wc -c <"$work/body.gz"), read back by python3"
done
