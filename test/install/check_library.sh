#!/usr/bin/env bash
# uping as a library, the way a user gets it: a release configure of this source tree (not the sanitizer
# build), `cmake --install` of the "development" component into a temporary prefix, then examples/library
# built out of tree against it twice, with find_package(uping) and with pkg-config, and both builds run
# unprivileged in a network namespace, pinging loopback. Also: the exported package names no build-only
# target or flag, and libuping.a needs no fmt, spdlog or CLI11 of its user.
#
# Environment (set by ctest): UPING_SOURCE_DIR, UPING_INSTALL_TEST_DIR (the release build, kept so that a
# second run is incremental), UPING_CXX (the compiler), UPING_CXX_LAUNCHER (ccache or empty),
# UPING_GENERATOR, UPING_VERSION. CI=true turns a skip into a failure. Exit: 0, 1 failed, 77 skipped.
# shellcheck source-path=SCRIPTDIR/../live source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../live/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh's messages
LIVE_NAME=install_library

for var in UPING_SOURCE_DIR UPING_INSTALL_TEST_DIR UPING_CXX UPING_GENERATOR UPING_VERSION; do
  [[ -n ${!var:-} ]] || live_skip "$var is not set (ctest sets it)"
done
for tool in cmake pkg-config nm; do
  command -v "$tool" >/dev/null || live_skip "$tool is not installed (bash .ci/install-deps)"
done
live_remove_stale
LIVE_DIR=$(mktemp -d "/tmp/uping-live.$$.XXXXXX") || live_skip "mktemp -d failed"
chmod 755 "$LIVE_DIR"
mkdir "$LIVE_DIR/out"
LIVE_OUT=$LIVE_DIR/out
prefix=$LIVE_DIR/prefix
build=$UPING_INSTALL_TEST_DIR/build
example_cmake=$LIVE_DIR/example-cmake
launcher=()
[[ -n ${UPING_CXX_LAUNCHER:-} ]] && launcher=("-DCMAKE_CXX_COMPILER_LAUNCHER=$UPING_CXX_LAUNCHER")

# step DESCRIPTION COMMAND...: a build step; its output is shown only when it fails, and then the test
# cannot go on.
step() {
  local desc=$1 log
  shift
  log=$LIVE_OUT/step.log
  if "$@" >"$log" 2>&1; then
    pass "$desc"
  else
    fail "$desc (exit $?): $*"
    tail -n 40 "$log" | sed 's/^/    | /'
    live_done
  fi
}

t0=$(date +%s)
# Only what the component needs is built: the library, not the uping executable nor the tests.
step "release configure (UPING_BUILD_TESTS=OFF)" cmake -S "$UPING_SOURCE_DIR" -B "$build" -G "$UPING_GENERATOR" \
  -DCMAKE_BUILD_TYPE=Release -DUPING_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER="$UPING_CXX" "${launcher[@]}"
step "build uping_core (libuping.a)" cmake --build "$build" --target uping_core
step "cmake --install --component development into $prefix" \
  cmake --install "$build" --component development --prefix "$prefix"

# --- what was installed -------------------------------------------------------------------------------
for header in address.hpp icmp.hpp ping.hpp pinger.hpp socket_types.hpp stats.hpp version.hpp; do
  if [[ -f $prefix/include/uping/$header ]]; then pass "include/uping/$header installed"; else fail "no include/uping/$header"; fi
done
library=$(find "$prefix" -name libuping.a -print -quit)
package_dir=$(find "$prefix" -name upingConfig.cmake -printf '%h\n' -quit)
pc_file=$(find "$prefix" -name uping.pc -print -quit)
found() {  # found PATH WHAT
  if [[ -n $1 ]]; then pass "$2 installed (${1#"$prefix"/})"; else fail "no $2 under the prefix"; fi
}
found "$library" libuping.a
found "$package_dir" upingConfig.cmake
found "$pc_file" uping.pc
[[ -n $library && -n $package_dir && -n $pc_file ]] || live_done
for file in upingConfigVersion.cmake upingTargets.cmake; do
  if [[ -f $package_dir/$file ]]; then pass "$file installed"; else fail "no $file beside upingConfig.cmake"; fi
done

# Build-only targets and flags stay out of the package: a user has none of them.
leaks=$(grep -hEo 'uping_(warnings|sanitizers|hardening|static_link|text|faces)|CLI11|spdlog|fmt::[a-z-]+|-fsanitize[^ ";]*|-Werror|-W[a-z-]+|-fstack-[a-z-]+|_FORTIFY_SOURCE|_GLIBCXX_ASSERTIONS' \
  "$package_dir"/upingTargets*.cmake | sort -u | tr '\n' ' ')
if [[ -z $leaks ]]; then pass "the exported targets name no build-only target or flag"; else fail "the exported targets leak: $leaks"; fi
if grep -q 'add_library(uping::core STATIC IMPORTED)' "$package_dir/upingTargets.cmake"; then
  pass "the package exports uping::core"
else
  fail "upingTargets.cmake defines no uping::core"
fi
needed=$(nm -C --undefined-only "$library" | grep -Eo '(fmt|spdlog|CLI)::[^ (]*' | sort -u | head -n 5 | tr '\n' ' ')
if [[ -z $needed ]]; then pass "libuping.a needs no fmt, spdlog or CLI11 symbol from outside"; else fail "libuping.a needs $needed"; fi

export PKG_CONFIG_PATH=${pc_file%/*}
pc_version=$(pkg-config --modversion uping 2>&1)
if [[ $pc_version == "$UPING_VERSION" ]]; then pass "pkg-config --modversion uping: $pc_version"; else fail "pkg-config --modversion uping: '$pc_version', expected $UPING_VERSION"; fi
pc_flags=$(pkg-config --cflags --libs uping 2>&1)
if [[ $pc_flags == *"-I$prefix/include"* && $pc_flags == *-luping* && $pc_flags != *-fsanitize* ]]; then
  pass "pkg-config --cflags --libs uping: $pc_flags"
else
  fail "pkg-config --cflags --libs uping: '$pc_flags'"
fi

# --- the example, out of tree --------------------------------------------------------------------------
# Warnings as errors here: the example is what users copy.
step "examples/library: configure with find_package(uping) (CMAKE_PREFIX_PATH=prefix)" \
  cmake -S "$UPING_SOURCE_DIR/examples/library" -B "$example_cmake" -G "$UPING_GENERATOR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$UPING_CXX" "${launcher[@]}" \
  "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wconversion -Werror"
step "examples/library: build against the package" cmake --build "$example_cmake"
# shellcheck disable=SC2046 # pkg-config's output is meant to split into arguments
step "examples/library: build with pkg-config" "${UPING_CXX_LAUNCHER:-env}" "$UPING_CXX" -std=c++20 -O2 -Wall -Wextra \
  -Werror "$UPING_SOURCE_DIR/examples/library/ping_targets.cpp" $(pkg-config --cflags --libs uping) \
  -o "$LIVE_DIR/ping_targets_pc"
cp "$example_cmake/ping_targets" "$LIVE_DIR/ping_targets" && chmod 755 "$LIVE_DIR/ping_targets" "$LIVE_DIR/ping_targets_pc"
echo "install/library: built and installed in $(($(date +%s) - t0)) s"

# --- running it, unprivileged, in a namespace ------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || live_skip "needs root to create network namespaces (the build checks above passed)"
for tool in ip setpriv timeout sysctl; do
  command -v "$tool" >/dev/null || live_skip "$tool is not installed (bash .ci/install-deps)"
done
ns="" silent="" closed=""
new_netns ns
capture loopback run_unpriv "$ns" "$LIVE_DIR/ping_targets" 127.0.0.1 ::1
check_rc loopback 0 "ping_targets 127.0.0.1 ::1 (find_package build)"
check_count loopback out '^127\.0\.0\.1: reply seq=[123] time=[0-9.]+ ms ttl=64 bytes=64$' 3 "three IPv4 replies"
check_count loopback out '^::1: reply seq=[123] time=[0-9.]+ ms ttl=64 bytes=64$' 3 "three IPv6 replies"
check_line loopback out "127.0.0.1: 3 of 3 answered" "IPv4 summary"
check_line loopback out "::1: 3 of 3 answered" "IPv6 summary"
check_empty loopback err "ping_targets 127.0.0.1 ::1"

capture pc run_unpriv "$ns" "$LIVE_DIR/ping_targets_pc" 127.0.0.1
check_rc pc 0 "ping_targets 127.0.0.1 (pkg-config build)"
check_count pc out '^127\.0\.0\.1: reply seq=[123] ' 3 "pkg-config build: three replies"

# A namespace whose IPv4 ignores echo requests: 127.0.0.1 stays silent, ::1 still answers.
new_netns silent
setup ip netns exec "$silent" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
capture silent run_unpriv "$silent" "$LIVE_DIR/ping_targets" 127.0.0.1 ::1
check_rc silent 1 "ping_targets 127.0.0.1 ::1 with IPv4 echo ignored: one target never answers"
check_count silent out '^127\.0\.0\.1: timeout seq=[123]$' 3 "three timeouts"
check_count silent out '^::1: reply seq=[123] ' 3 "the other target's three replies"
check_line silent out "127.0.0.1: 0 of 3 answered" "summary of the silent target"

# No group may open ICMP datagram sockets and CAP_NET_RAW is gone: the open fails, and says so.
new_netns closed "1 0"
capture closed run_unpriv "$closed" "$LIVE_DIR/ping_targets" 127.0.0.1
check_rc closed 2 "ping_targets without any ICMP socket allowed"
check_grep closed err '^datagram socket: ' "the datagram socket's error reported"
check_empty closed out "no ICMP socket"
echo "install/library: $(($(date +%s) - t0)) s in all"
live_done
