#include <string>
#include <string_view>

#include "cli/invocation.hpp"
#include "ping/options.hpp"

namespace uping {

// iputils' usage text, in uping's words, with the other modes listed at the end.
std::string usage_text(std::string_view program_name) {
  std::string text = "\nUsage\n  ";
  text += basename_of(program_name);
  text +=
      " [options] <destination>\n"
      "\n"
      "Options:\n"
      "  <destination>      host name or IP address to probe\n"
      "  -3                 reply times with three decimals, never rounded\n"
      "  -a                 ring the terminal bell with each reply\n"
      "  -A                 adaptive interval, following the round-trip time\n"
      "  -B                 keep the source address chosen at start\n"
      "  -c <count>         send <count> probes, then stop\n"
      "  -C                 connect() the socket to the destination\n"
      "  -d                 set SO_DEBUG on the socket\n"
      "  -D                 prefix each line with a Unix timestamp\n"
      "  -e <identifier>    echo identifier (datagram socket: bound as its port)\n"
      "  -f                 flood: '.' per probe, backspace per reply\n"
      "  -h                 show this help\n"
      "  -H                 reverse lookups even for numeric targets or -f\n"
      "  -I <interface>     send from this interface or source address\n"
      "  -i <interval>      seconds between probes (default 1)\n"
      "  -L                 no loopback of multicast probes\n"
      "  -l <preload>       send <preload> probes at once, then pace\n"
      "  -m <mark>          SO_MARK for the probes (needs CAP_NET_ADMIN)\n"
      "  -M <pmtud opt>     path MTU discovery: do, dont, want or probe\n"
      "  -n                 numeric output, no reverse lookups\n"
      "  -O                 report probes still unanswered when the next one goes out\n"
      "  -p <pattern>       up to 16 hex bytes to fill the payload with\n"
      "  -q                 quiet: only the header and the statistics\n"
      "  -Q <tclass>        IPv4 TOS / IPv6 traffic class bits\n"
      "  -r                 bypass routing: directly attached hosts only\n"
      "  -s <size>          payload bytes per probe (default 56)\n"
      "  -S <size>          SO_SNDBUF of the socket\n"
      "  -t <ttl>           IP time to live / IPv6 hop limit\n"
      "  -U                 user-to-user times (no kernel receive timestamps)\n"
      "  -v                 verbose output\n"
      "  -V                 show the version\n"
      "  -w <deadline>      stop after <deadline> seconds whatever was received\n"
      "  -W <timeout>       seconds to wait for a reply\n"
      "\n"
      "IPv4 options:\n"
      "  -4                 IPv4 only\n"
      "  -b                 allow a broadcast destination\n"
      "  -R                 record route\n"
      "  -T <timestamp>     IP timestamp option: tsonly, tsandaddr or tsprespec\n"
      "\n"
      "IPv6 options:\n"
      "  -6                 IPv6 only\n"
      "  -F <flowlabel>     flow label (20 bits, decimal or 0x hex)\n"
      "  -N <nodeinfo opt>  node information query: refused, needs a raw socket\n"
      "\n"
      "Other modes (each with its own --help):\n"
      "  <destination>...   sweep many targets (-g, --file, --json, --alive): --json --help\n"
      "  --health <target>  container health probe: exit 0 healthy, 1 not\n"
      "  --monitor <target> watch targets without end: outage events, Prometheus metrics\n"
      "  --diagnose         explain whether this host lets uping ping unprivileged\n"
      "  --help             this text on stdout\n"
      "  --version          the version, and the iputils release uping follows\n"
      "\n"
      "Invoked as fping or fping6 (a link or a copy), uping takes fping 5.5's options: fping -h.\n"
      "See uping(8).\n";
  return text;
}

}  // namespace uping
