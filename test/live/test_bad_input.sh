#!/usr/bin/env bash
# Bad input, as a table: options, values, host names, sizes and intervals. Each row gives the
# exit code uping must return and a pattern its one-line diagnostic must match. Every run is
# unprivileged in a namespace, bounded in time, and checked for crashes and sanitizer reports
# (the dev preset builds with ASan + UBSan). Nothing here may hang, crash or print a figure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns
ns_confine_resolver "$ns"
# A UTF-8 character set (C.UTF-8 is always present on Debian), so that the IDN row reaches the
# resolver as a name, as it does for a user with any UTF-8 locale.
export LC_ALL=C.UTF-8

long_name=$(printf 'a%.0s' {1..300}).invalid
huge_name=$(head -c 70000 /dev/zero | tr '\0' 'b')
control_name=$'evil\e[2Jname.invalid'

# exit code | ERE a stderr line must match (after "ping: ") | arguments...
# Arguments are separated by the unit separator \x1f so that empty ones and spaces survive.
rows=(
  $'2\x1fusage error: Destination address required\x1f'
  $'2\x1f: (Name or service not known|Temporary failure in name resolution)\x1f-c\x1f1\x1f'
  $'2\x1f(Name or service not known|Temporary failure in name resolution)\x1f-c\x1f1\x1f'"$long_name"
  $'2\x1f(Name or service not known|Temporary failure in name resolution|too long)\x1f-c\x1f1\x1f'"$huge_name"
  $'2\x1fName or service not known\x1f-c\x1f1\x1fb\xc3\xbccher.invalid'
  $'2\x1f(Name or service not known|Address family for hostname not supported)\x1f-4\x1f-c\x1f1\x1f::1'
  $'2\x1f(Name or service not known|Address family for hostname not supported)\x1f-6\x1f-c\x1f1\x1f127.0.0.1'
  $'2\x1f(Name or service not known|Invalid argument|No such device)\x1f-c\x1f1\x1ffe80::1%nosuchdev0'
  $'1\x1finvalid argument: \x27abc\x27\x1f-c\x1fabc\x1f127.0.0.1'
  $'1\x1finvalid argument: \x27-1\x27: out of range\x1f-c\x1f-1\x1f127.0.0.1'
  $'1\x1finvalid argument: \x2799999999999999999999\x27: Numerical result out of range\x1f-c\x1f99999999999999999999\x1f127.0.0.1'
  $'1\x1finvalid -s value: \x2765508\x27: out of range: 0 <= value <= 65507\x1f-s\x1f65508\x1f127.0.0.1'
  $'1\x1finvalid -s value: \x2765528\x27: out of range: 0 <= value <= 65527\x1f-s\x1f65528\x1f::1'
  $'1\x1finvalid argument: \x27-5\x27: out of range\x1f-s\x1f-5\x1f127.0.0.1'
  $'1\x1finvalid argument: \x27256\x27: out of range: 0 <= value <= 255\x1f-t\x1f256\x1f127.0.0.1'
  $'1\x1finvalid argument: \x27x\x27\x1f-w\x1fx\x1f127.0.0.1'
  $'2\x1fbad timing interval: -1\x1f-i\x1f-1\x1f127.0.0.1'
  $'2\x1fbad timing interval: nan\x1f-i\x1fnan\x1f127.0.0.1'
  $'2\x1fbad timing interval: 1e999\x1f-i\x1f1e999\x1f127.0.0.1'
  $'2\x1fbad linger time: -3\x1f-W\x1f-3\x1f127.0.0.1'
  $'2\x1fcannot flood, minimal interval for user must be >= 2 ms\x1f-c\x1f1\x1f-i\x1f0.0001\x1f127.0.0.1'
  $'2\x1finvalid option -- \x27y\x27\x1f-y\x1f127.0.0.1'
  $'2\x1finvalid option -- \x27-\x27\x1f--no-such-option\x1f127.0.0.1'
  $'2\x1foption requires an argument -- \x27c\x27\x1f127.0.0.1\x1f-c'
  $'2\x1fonly one -4 or -6 option may be specified\x1f-4\x1f-6\x1f127.0.0.1'
  $'2\x1finvalid source address: 1:2:3\x1f-I\x1f1:2:3\x1f127.0.0.1'
  $'2\x1fSO_BINDTODEVICE nosuchdev0: No such device\x1f-c\x1f1\x1f-I\x1fnosuchdev0\x1f127.0.0.1'
)

row_number=0
for row in "${rows[@]}" "CONTROL"; do
  row_number=$((row_number + 1))
  if [[ $row == CONTROL ]]; then
    # The control-character name is built here: $'...' inside the table would hide it.
    want=2
    pattern='Name or service not known'
    args=(-c 1 "$control_name")
  else
    IFS=$'\x1f' read -r -d '' want pattern rest < <(printf '%s\0' "$row")
    args=()
    [[ -n $rest ]] && IFS=$'\x1f' read -r -a args <<<"$rest"
    # A trailing empty field is an empty argument (the empty host name row).
    [[ $row == *$'\x1f' && ${#args[@]} -gt 0 ]] && args+=("")
  fi
  tag=row$row_number
  desc="bad input $row_number: $(printf '%q ' "${args[@]}" | cut -c1-80)"
  capture "$tag" run_unpriv "$ns" "$UPING_BIN" "${args[@]}"
  check_rc "$tag" "$want" "$desc"
  # The diagnostic: one line naming the program (iputils' warnings about trailing garbage may
  # come before it).
  if normalise_err <"$LIVE_OUT/$tag.err" | grep -Eq -- "^ping: .*($pattern)"; then
    pass "$desc: diagnostic matches /$pattern/"
  else
    fail "$desc: no stderr line matches /^ping: .*($pattern)/"
    show "$tag"
  fi
  check_no_grep "$tag" err 'AddressSanitizer|runtime error|Segmentation|terminate called' "$desc: no crash"
  # Only the usage-printing errors (unknown option, missing argument) may write more than a
  # line, and no error prints statistics or a reply.
  check_no_grep "$tag" out 'bytes from|packets transmitted' "$desc: no figures"
  # No terminal control character from the input may reach the output.
  check_no_grep "$tag" err $'\e' "$desc: no escape character echoed"
done

live_done
