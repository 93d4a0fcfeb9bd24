// -h's text for the fping personality. The option column keeps fping's spelling (callers such as
// Zabbix and SmokePing look for lines starting "-S," "-O," "-k,"); the descriptions are uping's.
#include <string>
#include <string_view>

#include "fping/generate.hpp"
#include "fping/options.hpp"

namespace uping::fping {

std::string fping_usage(std::string_view program_name) {
  const std::string prog(program_name);
  std::string text;
  text += "Usage: " + prog + " [options] [targets...]\n\n";
  text += "Probing options:\n";
  text += "   -4, --ipv4         IPv4 targets only\n";
  text += "   -6, --ipv6         IPv6 targets only\n";
  text += "   -b, --size=BYTES   bytes of data in each probe (default: 56)\n";
  text += "   -B, --backoff=N    multiply the timeout by N after each retry (default: 1.5)\n";
  text += "   -c, --count=N      count mode: N probes per target, then per-target statistics\n";
  text += "   -f, --file=FILE    read targets from FILE (- for standard input)\n";
  text += "   -g, --generate     targets from a range (start end) or a CIDR block, not with -f,\n";
  text += "                      at most " + std::to_string(kMaxGenerate) + " of them\n";
  text += "                      (e.g. " + prog + " -g 192.0.2.1 192.0.2.20, " + prog + " -g 192.0.2.0/24)\n";
  text += "   -H, --ttl=N        IP time to live (hop limit) of the probes\n";
  text += "   -i, --interval=MSEC  least time between any two probes (default: 10 ms)\n";
  text += "   -I, --iface=IFACE  send and receive on this interface only\n";
  text += "   -k, --fwmark=FWMARK set this firewall mark on the probes\n";
  text += "   -l, --loop         loop mode: probe until interrupted\n";
  text += "   -m, --all          probe every address of each name (use with -A)\n";
  text += "   -M, --dontfrag     set Don't Fragment\n";
  text += "   -O, --tos=N        type of service / traffic class of the probes\n";
  text += "   -p, --period=MSEC  time between probes to one target in loop and count modes\n";
  text += "                      (default: 1000 ms)\n";
  text += "   -r, --retry=N      retries per target in the default mode (default: 3)\n";
  text += "   -R, --random       random data in the probes\n";
  text += "   -S, --src=IP       source address of the probes\n";
  text += "       --seqmap-timeout=MSEC time before a sequence number is used again (default: 10000 ms)\n";
  text += "   -t, --timeout=MSEC first timeout per target (default: 500 ms; with -l/-c/-C the\n";
  text += "                      -p period, up to 2000 ms)\n";
  text += "   -T N               accepted and ignored, as fping does\n";
  text += "       --check-source ignore replies from any address but the target's\n";
  text += "       --icmp-timestamp ICMP Timestamp requests instead of Echo (needs a raw socket)\n";
  text += "\n";
  text += "Output options:\n";
  text += "   -a, --alive        list the targets that answer\n";
  text += "   -A, --addr         name targets by address\n";
  text += "   -C, --vcount=N     as -c, but list every reply time per target\n";
  text += "   -d, --rdns         name targets by reverse lookup, always\n";
  text += "   -D, --timestamp    a timestamp before each line\n";
  text += "       --timestamp-format=FORMAT  -D's format: ctime, iso or rfc3339\n";
  text += "   -e, --elapsed      add the round-trip time to each answer\n";
  text += "   -J, --json         JSON records (with -c, -C or -l)\n";
  text += "   -n, --name         name targets given as addresses by reverse lookup\n";
  text += "   -N, --netdata      netdata's format (with -l and -Q)\n";
  text += "   -o, --outage       add the time lost to missing replies\n";
  text += "   -q, --quiet        no line per probe or per target\n";
  text += "   -Q, --squiet=SECS[,cumulative]  as -q, with a summary every SECS seconds\n";
  text += "                                   (cumulative: counted from the start)\n";
  text += "   -s, --stats        statistics at the end\n";
  text += "   -u, --unreach      list the targets that do not answer\n";
  text += "   -v, --version      the version\n";
  text += "   -x, --reachable=N  whether at least N targets answer\n";
  text += "   -X, --fast-reachable=N exit at once when N targets have answered\n";
  text += "       --print-tos    the type of service of each reply\n";
  text += "       --print-ttl    the time to live of each reply\n";
  return text;
}

}  // namespace uping::fping
