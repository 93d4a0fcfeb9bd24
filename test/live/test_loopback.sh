#!/usr/bin/env bash
# uping and iputils ping on loopback (127.0.0.1 and ::1), unprivileged in a fresh namespace:
# identical stdout once timings are normalised, identical exit codes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
live_init

new_netns ns

for target in 127.0.0.1 ::1; do
  t=${target//[:.]/_}
  for opts in "" "-q" "-n" "-s 8" "-s 1000" "-t 5" "-D"; do
    tag="lo$t${opts//[ -]/_}"
    desc="-c 3 -i 0.2 ${opts:+$opts }$target"
    # shellcheck disable=SC2086 # $opts holds separate words
    run_pair "$tag" "$ns" -c 3 -i 0.2 $opts "$target"
    compare_pair "$tag" "$desc" 0
  done

  # Exact shapes, whatever the reference does.
  tag=lo${t}
  check_count "$tag.uping" out '^64 bytes from '"${target//./\\.}"': icmp_seq=[123] ttl=[0-9]+ time=[0-9]+(\.[0-9]+)? ms$' 3 \
    "-c 3 $target (uping reply lines)"
  check_line "$tag.uping" out "3 packets transmitted, 3 received, 0% packet loss, time Nms" "-c 3 $target (uping)"
  check_grep "$tag.uping" out '^rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms$' \
    "-c 3 $target (uping rtt line)"
  tag=lo${t}_q
  check_no_grep "$tag.uping" out 'bytes from' "-q $target (uping)"
  tag=lo${t}_s_8
  check_count "$tag.uping" out '^16 bytes from [^ ]+: icmp_seq=[123] ttl=[0-9]+$' 3 "-s 8 $target (uping: no time= field)"
  check_no_grep "$tag.uping" out '^rtt |time=' "-s 8 $target (uping: no rtt line)"
  tag=lo${t}_s_1000
  check_count "$tag.uping" out '^1008 bytes from ' 3 "-s 1000 $target (uping)"
  tag=lo${t}_D
  check_count "$tag.uping" out '^\[[0-9]{10}\.[0-9]{6}\] 64 bytes from ' 3 "-D $target (uping timestamps)"

  # -v: on a datagram socket without -e neither iputils release (nor uping) prints ident=; where
  # the debugging lines go differs (20221126: stdout, 20250605: stderr), so only the exit code and
  # the reply lines' shape are checked.
  tag="lo${t}_v"
  run_pair "$tag" "$ns" -c 3 -i 0.2 -v "$target"
  check_same_rc "$tag" "-v $target"
  check_rc "$tag.uping" 0 "-v $target (uping)"
  check_count "$tag.uping" out '^64 bytes from '"${target//./\\.}"': icmp_seq=[123] ttl=[0-9]+ time=[0-9]+(\.[0-9]+)? ms$' 3 \
    "-v $target (uping reply lines, no ident= without -e)"
done

live_done
