#!/usr/bin/env bash
# The architecture as a test: every #include of ours points at the same layer or a lower one, only
# the wire layer calls the socket I/O and the ICMP decoder, and no source file grows past what one
# reads in a sitting.
#
#   core   (include/uping: codec, addresses, statistics; src/core)   pure, includes only core
#   system (src/system: resolution, privileges, diagnosis)
#   wire   (src/wire: the only code that touches ICMP sockets)
#   pinger (src/pinger and the library's API headers in include/uping)
#   cli    (src/cli: what the command-line faces share)
#   faces  (src/ping: the iputils ping; src/multi: sweeps and --health; src/fping: fping's
#          personality; src/monitor: the long-running monitor), then src/main.cpp
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

# Public headers of the library's API, above the wire layer; every other public header is core.
api_headers=" pinger.hpp ping.hpp "

rank_of() {  # rank of an include path ("uping/icmp.hpp", "wire/socket.hpp") or a file
  local path=$1
  case $path in
    include/uping/*|uping/*)
      local name=${path##*/}
      if [[ $name == version.hpp ]]; then echo 0
      elif [[ $api_headers == *" $name "* ]]; then echo 3
      else echo 0; fi ;;
    src/core/*|core/*) echo 0 ;;
    src/system/*|system/*) echo 1 ;;
    src/wire/*|wire/*) echo 2 ;;
    src/pinger/*|pinger/*) echo 3 ;;
    src/cli/*|cli/*) echo 4 ;;
    src/ping/*|ping/*|src/multi/*|multi/*|src/fping/*|fping/*|src/monitor/*|monitor/*) echo 5 ;;
    src/main.cpp) echo 6 ;;
    *) echo "unknown" ;;
  esac
}

failures=0
fail() { printf 'FAIL %s\n' "$*"; failures=$((failures + 1)); }

files=$(find include src -name '*.hpp' -o -name '*.cpp' | sort)
checked=0
for file in $files; do
  own=$(rank_of "$file")
  [[ $own == unknown ]] && { fail "$file: in no layer (add its folder to test/layout/check_layers.sh)"; continue; }
  while IFS= read -r included; do
    [[ -z $included ]] && continue
    target=$(rank_of "$included")
    if [[ $target == unknown ]]; then fail "$file includes \"$included\", which is in no layer"; continue; fi
    ((target <= own)) || fail "$file (layer $own) includes \"$included\" (layer $target): a lower layer includes a higher one"
    # The faces are peers: none includes another.
    for face in ping multi fping monitor; do
      included_face=${included%%/*}
      if [[ $file == src/$face/* && " ping multi fping monitor " == *" $included_face "* && $included_face != "$face" ]]; then
        fail "$file includes \"$included\": the faces are peers"
      fi
    done
    checked=$((checked + 1))
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
  lines=$(wc -l < "$file")
  ((lines <= 500)) || fail "$file has $lines lines (at most 500)"
done
# Public headers are installed: they may include nothing private.
for file in include/uping/*.hpp; do
  if grep -qE '^#include "(system|wire|pinger|cli|ping|multi|fping|monitor|core)/' "$file"; then fail "$file (public) includes a private header"; fi
done
# The one wire layer: nothing else sends, receives, reads the error queue or decodes ICMP.
wire_calls='\b(sendto|sendmsg|recvmsg|recvmmsg|recvfrom)[[:space:]]*\(|MSG_ERRQUEUE|decode_icmp|decode_ipv4_packet|decode_echo_request'
while IFS= read -r hit; do
  fail "outside the wire layer: $hit"
done < <(grep -rnE "$wire_calls" src include | grep -vE '^(src/wire/|src/core/icmp\.cpp:|include/uping/icmp\.hpp:)' |
  grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')
((checked > 50)) || fail "only $checked includes checked: the scan is broken"
echo "$checked includes in $(echo "$files" | wc -l) files checked"
exit $((failures > 0))
