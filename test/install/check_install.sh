#!/usr/bin/env bash
# `cmake --install` into a temporary DESTDIR: uping in bin/, its man page in share/man/man8/, no
# file capability, the library's headers, libuping.a, CMake package and uping.pc; the ping_links
# component adds relative symbolic links ping, ping4, ping6 (and ping.8), and invoked through them
# uping speaks as ping; the fping_links component (never part of a plain install) adds fping and
# fping6, through which uping takes fping's command line. Usage: check_install.sh BUILD_DIR LINKS_ON
set -uo pipefail
build=$1
links_by_default=$2
failures=0
checks=0
ok() { checks=$((checks + 1)); echo "ok   - $*"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL - $*"; }
expect() {  # expect DESCRIPTION COMMAND...: the command must succeed
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else bad "$desc"; fi
}

dest=$(mktemp -d "${TMPDIR:-/tmp}/uping-install.XXXXXX") || exit 1
trap 'rm -rf -- "$dest"' EXIT
prefix=/usr
bin=$dest$prefix/bin

if ! DESTDIR=$dest cmake --install "$build" --prefix "$prefix" >"$dest.log" 2>&1; then
  cat "$dest.log"
  rm -f "$dest.log"
  echo "FAIL - cmake --install failed"
  exit 1
fi
rm -f "$dest.log"
expect "bin/uping is installed and executable" test -x "$bin/uping" -a ! -L "$bin/uping"
expect "the man page is in share/man/man8" test -f "$dest$prefix/share/man/man8/uping.8"
# The library (component "development", part of a plain install): headers, libuping.a, the CMake
# package and uping.pc, whose prefix is the installed one, never the DESTDIR it was staged in.
for header in address.hpp icmp.hpp ping.hpp pinger.hpp socket_types.hpp stats.hpp version.hpp; do
  expect "include/uping/$header is installed" test -f "$dest$prefix/include/uping/$header"
done
libdir=$(cd "$dest$prefix" && find . -name libuping.a -printf '%h\n' -quit)
libdir=${libdir#./}
expect "libuping.a is installed (${libdir:-nowhere})" test -n "$libdir"
for file in upingConfig.cmake upingConfigVersion.cmake upingTargets.cmake; do
  expect "$libdir/cmake/uping/$file is installed" test -f "$dest$prefix/$libdir/cmake/uping/$file"
done
pc_prefix=$(sed -n 's/^prefix=//p' "$dest$prefix/$libdir/pkgconfig/uping.pc" 2>/dev/null)
if [[ $pc_prefix == "$prefix" ]]; then ok "$libdir/pkgconfig/uping.pc: prefix=$prefix"; else bad "uping.pc: prefix '${pc_prefix:-missing}', expected $prefix"; fi
if command -v getcap >/dev/null; then
  caps=$(getcap "$bin/uping" 2>/dev/null)
  if [[ -z $caps ]]; then ok "no file capability on uping"; else bad "uping carries a file capability: $caps"; fi
fi
if [[ $links_by_default == ON ]]; then
  expect "UPING_INSTALL_PING_LINKS=ON: ping installed by default" test -L "$bin/ping"
else
  expect "UPING_INSTALL_PING_LINKS=OFF: no ping by default" test ! -e "$bin/ping"
fi

if ! DESTDIR=$dest cmake --install "$build" --prefix "$prefix" --component ping_links >/dev/null 2>&1; then
  bad "cmake --install --component ping_links failed"
fi
for name in ping ping4 ping6; do
  target=$(readlink "$bin/$name")
  if [[ $target == uping ]]; then ok "$name -> uping (relative link)"; else bad "$name links to '${target:-nothing}'"; fi
done
target=$(readlink "$dest$prefix/share/man/man8/ping.8")
if [[ $target == uping.8 ]]; then ok "ping.8 -> uping.8"; else bad "ping.8 links to '${target:-nothing}'"; fi

# Invoked by name through PATH, as a user types it: every message says ping: (ping4:, ping6:).
run() {  # run NAME ARGS...: sets out, err, rc
  local name=$1
  shift
  out=$(PATH=$bin "$name" "$@" 2>"$dest/err")
  rc=$?
  err=$(cat "$dest/err")
}
run ping -V
if [[ $rc == 0 && $out == "uping "*" (ping from iputils 20250605 compatible)" ]]; then ok "ping -V: $out"; else bad "ping -V: exit $rc, '$out'"; fi
run ping
if [[ $rc == 2 && $err == "ping: usage error: Destination address required" ]]; then
  ok "ping without a destination: '$err', exit 2"
else
  bad "ping without a destination: exit $rc, '$err'"
fi
run ping -c 0 127.0.0.1
if [[ $rc == 1 && $err == "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807" ]]; then
  ok "ping -c 0: '$err', exit 1"
else
  bad "ping -c 0: exit $rc, '$err'"
fi
run ping4 -6 127.0.0.1
if [[ $rc == 2 && $err == "ping4: only one -4 or -6 option may be specified" ]]; then
  ok "ping4 implies -4: '$err'"
else
  bad "ping4 -6: exit $rc, '$err'"
fi
run ping6 -4 ::1
if [[ $rc == 2 && $err == "ping6: only one -4 or -6 option may be specified" ]]; then
  ok "ping6 implies -6: '$err'"
else
  bad "ping6 -4: exit $rc, '$err'"
fi
run ping -y
if [[ $rc == 2 && ${err%%$'\n'*} == "ping: invalid option -- 'y'" && $err == *"  ping [options] <destination>"* ]]; then
  ok "ping -y: invalid option, then the usage naming ping"
else
  bad "ping -y: exit $rc, '$err'"
fi

# fping's links: only when asked for, relative, and uping answers as fping through them.
expect "no fping by default" test ! -e "$bin/fping" -a ! -e "$bin/fping6"
if ! DESTDIR=$dest cmake --install "$build" --prefix "$prefix" --component fping_links >/dev/null 2>&1; then
  bad "cmake --install --component fping_links failed"
fi
for name in fping fping6; do
  target=$(readlink "$bin/$name")
  if [[ $target == uping ]]; then ok "$name -> uping (relative link)"; else bad "$name links to '${target:-nothing}'"; fi
done
run fping -v
if [[ $rc == 0 && $out == "fping: Version 5.5 (uping "*")" ]]; then ok "fping -v: $out"; else bad "fping -v: exit $rc, '$out'"; fi
run fping -h
if [[ $rc == 0 && $out == "Usage: fping [options] [targets...]"* && $out == *"-S, --src"* ]]; then
  ok "fping -h: fping's usage on stdout"
else
  bad "fping -h: exit $rc, '${out%%$'\n'*}'"
fi
run fping6 -4 ::1
if [[ $rc == 1 && $err == "fping6: can't specify both -4 and -6" ]]; then
  ok "fping6 implies -6: '$err'"
else
  bad "fping6 -4: exit $rc, '$err'"
fi
run fping -c 0 127.0.0.1
if [[ $rc == 1 && $err == "Usage: fping [options] [targets...]"* && -z $out ]]; then
  ok "fping -c 0: fping's usage on stderr, exit 1"
else
  bad "fping -c 0: exit $rc, '${err%%$'\n'*}'"
fi

if ((failures)); then
  echo "install: $failures of $checks checks FAILED"
  exit 1
fi
echo "install: all $checks checks passed"
