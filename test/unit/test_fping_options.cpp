#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fping/options.hpp"

// Expected texts and exit codes come from fping 5.5's src/fping.c and src/optparse.c: a bad value
// answers with the usage text on stderr and exit 1; optparse's errors with one line and a pointer
// to -h; the checks after the option loop with one "fping: ..." line; all of them exit 1.

namespace {

using namespace uping::fping;
using Args = std::vector<std::string>;

FpingOptions parse_ok(Args args, bool root = false) {
  args.insert(args.begin(), "fping");
  auto result = parse_fping_command_line(args, root);
  INFO("stderr: " << result.err << " stdout: " << result.out);
  REQUIRE(result.options.has_value());
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  return *result.options;
}

FpingParseResult parse_fail(Args args, bool root = false) {
  args.insert(args.begin(), "fping");
  auto result = parse_fping_command_line(args, root);
  CHECK_FALSE(result.options.has_value());
  return result;
}

// A bad value: the whole usage text on stderr, exit 1.
void check_usage_error(const Args& args) {
  INFO("args: " << Catch::Detail::stringify(args));
  const auto result = parse_fail(args);
  CHECK(result.exit_code == 1);
  CHECK(result.out.empty());
  CHECK(result.err == fping_usage("fping"));
}

void check_message(const Args& args, const std::string& err) {
  INFO("args: " << Catch::Detail::stringify(args));
  const auto result = parse_fail(args);
  CHECK(result.exit_code == 1);
  CHECK(result.out.empty());
  CHECK(result.err == err);
}

}  // namespace

TEST_CASE("fping defaults are fping 5.5's", "[fping]") {
  const auto o = parse_ok({"host"});
  CHECK(o.program_name == "fping");
  CHECK(o.family == AddressFamily::any);
  CHECK(o.count == 1);
  CHECK_FALSE(o.count_mode);
  CHECK_FALSE(o.loop);
  CHECK(o.retry == 3);
  CHECK(o.timeout_ns == 500'000'000);
  CHECK(o.interval_ns == 10'000'000);
  CHECK(o.period_ns == 1'000'000'000);
  CHECK(o.backoff == 1.5F);
  CHECK(o.backoff_on);
  CHECK(o.payload_size == 56);
  CHECK(o.ttl == 0);
  CHECK_FALSE(o.tos);
  CHECK_FALSE(o.fwmark);
  CHECK_FALSE(o.interface);
  CHECK(o.seqmap_timeout_ns == 10'000'000'000);
  CHECK(o.verbose);
  CHECK_FALSE(o.per_recv);
  CHECK(o.trials == 4);
  CHECK(o.target_source == TargetSource::arguments);
  CHECK(o.targets == Args{"host"});
}

TEST_CASE("fping reads standard input when no target is named", "[fping]") {
  const auto o = parse_ok({"-c", "2"});
  CHECK(o.target_source == TargetSource::file);
  CHECK(o.file == "-");
  const auto f = parse_ok({"-f", "list.txt"});
  CHECK(f.target_source == TargetSource::file);
  CHECK(f.file == "list.txt");
  CHECK(parse_ok({"--file=-"}).file == "-");
}

TEST_CASE("fping flags", "[fping]") {
  CHECK(parse_ok({"-a", "h"}).alive);
  CHECK_FALSE(parse_ok({"-a", "h"}).verbose);
  CHECK(parse_ok({"-u", "h"}).unreachable);
  CHECK(parse_ok({"-A", "h"}).show_address);
  CHECK(parse_ok({"-d", "h"}).rdns);
  CHECK(parse_ok({"-n", "h"}).name);
  CHECK(parse_ok({"-e", "h"}).elapsed);
  CHECK(parse_ok({"-D", "h"}).timestamp);
  CHECK(parse_ok({"-m", "h"}).multi_interface);
  CHECK(parse_ok({"-M", "h"}).dont_fragment);
  CHECK(parse_ok({"-N", "h"}).netdata);
  CHECK(parse_ok({"-o", "h"}).outage);
  CHECK(parse_ok({"-R", "h"}).random_data);
  CHECK(parse_ok({"-s", "h"}).stats);
  CHECK(parse_ok({"--check-source", "h"}).check_source);
  CHECK(parse_ok({"--print-tos", "h"}).print_tos);
  CHECK(parse_ok({"--print-ttl", "h"}).print_ttl);
  const auto q = parse_ok({"-q", "h"});
  CHECK(q.quiet);
  CHECK_FALSE(q.verbose);
  CHECK(parse_ok({"-4", "h"}).family == AddressFamily::ipv4);
  CHECK(parse_ok({"-4", "-4", "h"}).family == AddressFamily::ipv4);
  CHECK(parse_ok({"--ipv6", "h"}).family == AddressFamily::ipv6);
  const auto x = parse_ok({"-x", "2", "a", "b"});
  CHECK(x.min_reachable == 2);
  CHECK_FALSE(x.fast_reachable);
  CHECK_FALSE(x.verbose);
  const auto fx = parse_ok({"--fast-reachable=1", "a"});
  CHECK(fx.min_reachable == 1);
  CHECK(fx.fast_reachable);
}

TEST_CASE("fping count, vcount and loop modes", "[fping]") {
  const auto c = parse_ok({"-c", "3", "h"});
  CHECK(c.count == 3);
  CHECK(c.count_mode);
  CHECK_FALSE(c.report_all_rtts);
  CHECK(c.per_recv);
  CHECK_FALSE(c.verbose);
  CHECK(c.timeout_ns == 1'000'000'000);  // the period, as -t was not given
  CHECK(c.trials == 4);
  const auto big = parse_ok({"-c", "10", "h"});
  CHECK(big.trials == 10);
  const auto v = parse_ok({"-C", "5", "-q", "h"});
  CHECK(v.count == 5);
  CHECK(v.report_all_rtts);
  CHECK_FALSE(v.per_recv);  // -q
  const auto l = parse_ok({"-l", "h"});
  CHECK(l.loop);
  CHECK_FALSE(l.backoff_on);
  CHECK(l.per_recv);
  const auto lq = parse_ok({"-l", "-Q", "5", "h"});
  CHECK_FALSE(lq.per_recv);
  CHECK(lq.report_interval_ns == 5'000'000'000);
  // The timeout follows the period up to 2000 ms; an explicit -t stays.
  CHECK(parse_ok({"-c", "1", "-p", "5000", "h"}).timeout_ns == 2'000'000'000);
  CHECK(parse_ok({"-c", "1", "-p", "300", "h"}).timeout_ns == 300'000'000);
  CHECK(parse_ok({"-c", "1", "-t", "50", "h"}).timeout_ns == 50'000'000);
  // -a / -u give way to -c.
  const auto ca = parse_ok({"-a", "-c", "1", "h"});
  CHECK_FALSE(ca.alive);
}

TEST_CASE("fping values", "[fping]") {
  CHECK(parse_ok({"-b", "1000", "h"}).payload_size == 1000);
  CHECK(parse_ok({"-b", "65507", "h"}).payload_size == 65507);
  CHECK(parse_ok({"-B", "2", "h"}).backoff == 2.0F);
  CHECK(parse_ok({"-B", "1", "h"}).backoff == 1.0F);
  CHECK(parse_ok({"-B", "5", "h"}).backoff == 5.0F);
  CHECK(parse_ok({"-H", "64", "h"}).ttl == 64);
  CHECK(parse_ok({"-H", "255", "h"}).ttl == 255);
  CHECK(parse_ok({"-i", "0", "h"}).interval_ns == 0);
  CHECK(parse_ok({"-i", "2.5", "h"}).interval_ns == 2'500'000);
  CHECK(parse_ok({"-p", "0.0011", "h"}).period_ns == 1100);
  CHECK(parse_ok({"-p", "0", "h"}, true).period_ns == 0);  // root has no floor
  CHECK(parse_ok({"-r", "0", "h"}).retry == 0);
  CHECK(parse_ok({"-r", "0", "h"}).trials == 1);
  CHECK(parse_ok({"-t", "100.5", "h"}).timeout_ns == 100'500'000);
  CHECK(parse_ok({"-t", "100", "h"}).timeout_given);
  CHECK(parse_ok({"-O", "16", "h"}).tos == 16);
  CHECK(parse_ok({"-O", "0x10", "h"}).tos == 16);  // base 0
  CHECK(parse_ok({"-O", "020", "h"}).tos == 16);
  CHECK(parse_ok({"--tos=255", "h"}).tos == 255);
  CHECK(parse_ok({"-k", "7", "h"}).fwmark == 7U);
  CHECK(parse_ok({"--fwmark", "4294967295", "h"}).fwmark == 4294967295U);
  CHECK(parse_ok({"-I", "eth0", "h"}).interface == "eth0");
  CHECK(parse_ok({"--iface=lo", "h"}).interface == "lo");
  CHECK(parse_ok({"-S", "192.0.2.1", "h"}).source_ipv4 == "192.0.2.1");
  CHECK(parse_ok({"--src", "2001:db8::1", "h"}).source_ipv6 == "2001:db8::1");
  CHECK(parse_ok({"-T", "anything", "h"}).targets == Args{"h"});  // accepted and ignored
  CHECK(parse_ok({"--seqmap-timeout=5000", "h"}).seqmap_timeout_ns == 5'000'000'000);
  CHECK(parse_ok({"-c", " 3", "h"}).count == 3);  // leading blanks are skipped
  CHECK(parse_ok({"-c", "+3", "h"}).count == 3);
  const auto cumulative = parse_ok({"-c", "5", "-Q", "1.5,cumulative", "h"});
  CHECK(cumulative.report_interval_ns == 1'500'000'000);
  CHECK(cumulative.cumulative);
  CHECK_FALSE(parse_ok({"-Q", "2,other", "h"}).cumulative);  // other words are ignored
  CHECK(parse_ok({"-D", "--timestamp-format=iso", "h"}).timestamp_format == TimestampFormat::iso);
  CHECK(parse_ok({"--timestamp-format", "ctime", "h"}).timestamp_format == TimestampFormat::ctime);
  CHECK(parse_ok({"--timestamp-format=rfc3339", "h"}).timestamp_format == TimestampFormat::rfc3339);
  const auto ts = parse_ok({"--icmp-timestamp", "h"});
  CHECK(ts.icmp_timestamp);
  CHECK(ts.family == AddressFamily::ipv4);
  CHECK(ts.payload_size == 12);
  CHECK(parse_ok({"-J", "-c", "1", "h"}).json);
  CHECK(parse_ok({"--json", "-l", "h"}).json);
}

TEST_CASE("fping bad values answer with the usage text and exit 1", "[fping]") {
  for (const Args& args : std::vector<Args>{
           {"-c", "0", "h"},
           {"-c", "10xyz", "h"},
           {"-c", "-1", "h"},
           {"-c", "", "h"},
           {"-C", "0", "h"},
           {"-c", "99999999999999999999", "h"},
           {"-b", "x", "h"},
           {"-r", "-2", "h"},
           {"-H", "0", "h"},
           {"-H", "4294967296", "h"},
           {"-t", "-1", "h"},
           {"-t", "1ms", "h"},
           {"-t", "1e999", "h"},
           {"-i", "abc", "h"},
           {"-p", "", "h"},
           {"-B", "-1", "h"},
           {"-Q", "-1", "h"},
           {"-Q", "1x", "h"},
           {"-O", "256", "h"},
           {"-O", "0x100", "h"},
           {"-O", "ab", "h"},
           {"-k", "0", "h"},
           {"-x", "0", "h"},
           {"-X", "0", "h"},
           {"--seqmap-timeout=x", "h"},
           {"--timestamp-format=unix", "h"},
       }) {
    check_usage_error(args);
  }
}

TEST_CASE("fping's checks after the options, with their messages", "[fping]") {
  check_message({"-H", "256", "h"}, "fping: ttl 256 out of range\n");
  check_message({"-a", "-u", "h"}, "fping: specify only one of a, u\n");
  check_message({"-c", "2", "-l", "h"}, "fping: specify only one of c, l\n");
  check_message({"-J", "h"}, "fping: option -J, --json requires -c, -C, or -l\n");
  check_message({"-p", "0.0009", "h"}, "fping: -p must be >= 0.001\n");
  // fping compares in float: 0.001f * 1e6f rounds up to 1000.00006, so the documented minimum
  // itself is refused to users.
  check_message({"-p", "0.001", "h"}, "fping: -p must be >= 0.001\n");
  check_message({"-p", "0", "h"}, "fping: -p must be >= 0.001\n");
  check_message({"-b", "65508", "h"}, "fping: data size 65508 not valid, must not be larger than 65507\n");
  check_message({"-B", "5.01", "h"}, "fping: backoff factor 5.0 not valid, must be between 1.0 and 5.0\n");
  check_message({"-B", "0.5", "h"}, "fping: backoff factor 0.5 not valid, must be between 1.0 and 5.0\n");
  check_message({"--icmp-timestamp", "-b", "20", "h"}, "fping: cannot change ICMP Timestamp size\n");
}

TEST_CASE("fping's errors during the option loop come first, in order", "[fping]") {
  check_message({"-4", "-6", "h"}, "fping: can't specify both -4 and -6\n");
  check_message({"-6", "--icmp-timestamp", "h"}, "fping: ICMP Timestamp is IPv4 only\n");
  check_message({"--icmp-timestamp", "-6", "h"}, "fping: can't specify both -4 and -6\n");
  check_message({"-d", "-n", "h"}, "fping: use either one of -d or -n\n");
  check_message({"-n", "-d", "h"}, "fping: use either one of -d or -n\n");
  check_message({"-S", "not-an-address", "h"}, "fping: can't parse source address: not-an-address\n");
  // The first error wins: -H 999 would only be refused after the loop.
  check_message({"-H", "999", "-4", "-6", "h"}, "fping: can't specify both -4 and -6\n");
  // -v before a bad option still prints the version.
  auto version = parse_fail({"-v", "-z"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == fping_version_line("fping"));
}

TEST_CASE("fping option syntax errors", "[fping]") {
  const std::string hint = "see 'fping -h' for usage information\n";
  check_message({"-z", "h"}, "fping: invalid option -- 'z'\n" + hint);
  check_message({"-aZ", "h"}, "fping: invalid option -- 'Z'\n" + hint);
  check_message({"h", "-c"}, "fping: option requires an argument -- 'c'\n" + hint);
  check_message({"--bogus", "h"}, "fping: invalid option -- 'bogus'\n" + hint);
  check_message({"--bogus=1", "h"}, "fping: invalid option -- 'bogus=1'\n" + hint);
  check_message({"--coun=1", "h"}, "fping: invalid option -- 'coun=1'\n" + hint);  // no abbreviations
  check_message({"--alive=1", "h"}, "fping: option takes no arguments -- 'alive'\n" + hint);
  check_message({"h", "--count"}, "fping: option requires an argument -- 'count'\n" + hint);
  // The message names argv[0] as invoked.
  auto named = parse_fping_command_line({"/usr/bin/fping", "-z"});
  CHECK(named.err == "/usr/bin/fping: invalid option -- 'z'\n" + hint);
}

TEST_CASE("fping -h and -v", "[fping]") {
  auto help = parse_fail({"-h"});
  CHECK(help.exit_code == 0);
  CHECK(help.err.empty());
  CHECK(help.out == fping_usage("fping"));
  CHECK(parse_fail({"-c", "1", "--help", "h"}).exit_code == 0);
  // Callers look for these option lines.
  for (const char* line :
       {"\n   -S, --src=IP ", "\n   -O, --tos=N ", "\n   -k, --fwmark=FWMARK ", "\n   -I, --iface=IFACE "}) {
    CHECK(help.out.find(line) != std::string::npos);
  }
  auto version = parse_fail({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("fping: Version 5.5 (uping ", 0) == 0);
  CHECK(version.out.back() == '\n');
}

TEST_CASE("fping -h lists every option it accepts", "[fping]") {
  const std::string help = fping_usage("fping");
  for (const char* option : {"-4,",
                             "-6,",
                             "-b,",
                             "-B,",
                             "-c,",
                             "-f,",
                             "-g,",
                             "-H,",
                             "-i,",
                             "-I,",
                             "-k,",
                             "-l,",
                             "-m,",
                             "-M,",
                             "-O,",
                             "-p,",
                             "-r,",
                             "-R,",
                             "-S,",
                             "-t,",
                             "-T ",
                             "-a,",
                             "-A,",
                             "-C,",
                             "-d,",
                             "-D,",
                             "-e,",
                             "-J,",
                             "-n,",
                             "-N,",
                             "-o,",
                             "-q,",
                             "-Q,",
                             "-s,",
                             "-u,",
                             "-v,",
                             "-x,",
                             "-X,",
                             "--seqmap-timeout=",
                             "--check-source",
                             "--icmp-timestamp",
                             "--timestamp-format=",
                             "--print-tos",
                             "--print-ttl"}) {
    INFO(option);
    CHECK(help.find(option) != std::string::npos);
  }
}

TEST_CASE("fping short options combine and take their values attached or apart", "[fping]") {
  const auto o = parse_ok({"-qsc3", "h"});
  CHECK(o.quiet);
  CHECK(o.stats);
  CHECK(o.count == 3);
  CHECK(parse_ok({"-C5", "h"}).count == 5);
  CHECK(parse_ok({"-t50", "h"}).timeout_ns == 50'000'000);
  const auto z = parse_ok({"-dA", "-C", "3", "-i10", "h"});  // Zabbix's spelling
  CHECK(z.rdns);
  CHECK(z.show_address);
  // A value is taken even when it looks like an option.
  CHECK(parse_ok({"-I", "-x", "h"}).interface == "-x");
}

TEST_CASE("fping long options", "[fping]") {
  const auto o = parse_ok({"--count=3", "--period", "100", "--size=64", "--retry=1", "--interval=1", "--timeout=20",
                           "--backoff=2", "--ttl=9", "--squiet=2", "--stats", "--outage", "--addr", "h"});
  CHECK(o.count == 3);
  CHECK(o.period_ns == 100'000'000);
  CHECK(o.payload_size == 64);
  CHECK(o.retry == 1);
  CHECK(o.interval_ns == 1'000'000);
  CHECK(o.timeout_ns == 20'000'000);
  CHECK(o.backoff == 2.0F);
  CHECK(o.ttl == 9);
  CHECK(o.report_interval_ns == 2'000'000'000);
  CHECK(o.stats);
  CHECK(o.outage);
  CHECK(o.show_address);
  CHECK(parse_ok({"--vcount", "2", "h"}).report_all_rtts);
  CHECK(parse_ok({"--loop", "h"}).loop);
  CHECK(parse_ok({"--reachable=1", "h"}).min_reachable == 1);
  CHECK(parse_ok({"--elapsed", "--rdns", "--timestamp", "--random", "--dontfrag", "--all", "--netdata", "h"}).netdata);
}

TEST_CASE("fping operands and options mix; -- ends the options", "[fping]") {
  const auto o = parse_ok({"a", "-c", "1", "b", "-q"});
  CHECK(o.targets == Args{"a", "b"});
  CHECK(o.quiet);
  CHECK(parse_ok({"-c", "1", "--", "-q", "b"}).targets == Args{"-q", "b"});
  CHECK(parse_ok({"-"}).targets == Args{"-"});
}

TEST_CASE("fping6 implies -6", "[fping]") {
  auto result = parse_fping_command_line({"/usr/sbin/fping6", "::1"});
  REQUIRE(result.options);
  CHECK(result.options->family == AddressFamily::ipv6);
  CHECK(parse_fping_command_line({"fping6", "-6", "::1"}).options);
  auto conflict = parse_fping_command_line({"fping6", "-4", "h"});
  CHECK(conflict.err == "fping6: can't specify both -4 and -6\n");
  CHECK(conflict.exit_code == 1);
}

TEST_CASE("fping targets come from one place only", "[fping]") {
  check_usage_error({"-f", "list", "h"});
  check_usage_error({"-f", "list", "-g", "192.0.2.0/30"});
  check_usage_error({"-g"});
  check_usage_error({"-g", "192.0.2.1", "192.0.2.2", "192.0.2.3"});
}

TEST_CASE("fping -g with a CIDR block", "[fping]") {
  CHECK(parse_ok({"-g", "192.0.2.0/30"}).targets == Args{"192.0.2.1", "192.0.2.2"});
  CHECK(parse_ok({"-g", "192.0.2.5/30"}).targets == Args{"192.0.2.5", "192.0.2.6"});
  CHECK(parse_ok({"-g", "192.0.2.4/31"}).targets == Args{"192.0.2.4", "192.0.2.5"});
  CHECK(parse_ok({"-g", "192.0.2.9/32"}).targets == Args{"192.0.2.9"});
  const auto o = parse_ok({"-g", "198.51.100.0/24"});
  CHECK(o.target_source == TargetSource::generated);
  REQUIRE(o.targets.size() == 254);
  CHECK(o.targets.front() == "198.51.100.1");
  CHECK(o.targets.back() == "198.51.100.254");
  CHECK(parse_ok({"-g", "10.0.0.0/15"}).targets.size() == 131070);
  CHECK(parse_ok({"-g", "2001:db8::/126"}).targets == Args{"2001:db8::", "2001:db8::1", "2001:db8::2", "2001:db8::3"});
  CHECK(parse_ok({"-g", "fe80::%1/127"}).targets == Args{"fe80::%1", "fe80::1%1"});
  CHECK(parse_ok({"-g", "2001:db8::/111"}).targets.size() == 131072);
  check_message({"-g", "10.0.0.0/14"}, "fping: -g parameter generates too many addresses\n");
  check_message({"-g", "2001:db8::/110"}, "fping: -g parameter generates too many addresses\n");
  check_message({"-g", "192.0.2.0/0"}, "fping: netmask must be between 1 and 32 (is: 0)\n");
  check_message({"-g", "192.0.2.0/33"}, "fping: netmask must be between 1 and 32 (is: 33)\n");
  check_message({"-g", "2001:db8::/64"}, "fping: netmask must be between 65 and 128 (is: 64)\n");
  check_message({"-g", "fe80::/64%1"}, "fping: address scope must precede prefix length\n");
  check_usage_error({"-g", "192.0.2.0"});
  check_usage_error({"-g", "192.0.2.0/x"});
  check_usage_error({"-g", "192.0.2.0/-1"});
  auto bad = parse_fail({"-g", "192.0.2.300/24"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.rfind("fping, can't parse address 192.0.2.300: ", 0) == 0);  // fping's comma
  auto wrong_family = parse_fail({"-6", "-g", "192.0.2.0/24"});
  CHECK(wrong_family.err.rfind("fping, can't parse address 192.0.2.0: ", 0) == 0);
}

TEST_CASE("fping -g with a start and an end", "[fping]") {
  CHECK(parse_ok({"-g", "192.0.2.1", "192.0.2.3"}).targets == Args{"192.0.2.1", "192.0.2.2", "192.0.2.3"});
  CHECK(parse_ok({"-g", "192.0.2.255", "192.0.3.0"}).targets == Args{"192.0.2.255", "192.0.3.0"});
  CHECK(parse_ok({"-g", "2001:db8::fffe", "2001:db8::1:0"}).targets ==
        Args{"2001:db8::fffe", "2001:db8::ffff", "2001:db8::1:0"});
  CHECK(parse_ok({"-g", "fe80::1%1", "fe80::2%1"}).targets == Args{"fe80::1%1", "fe80::2%1"});
  CHECK(parse_ok({"-g", "10.0.0.0", "10.1.255.255"}).targets.size() == 131072);
  check_message({"-g", "10.0.0.0", "10.2.0.0"}, "fping: -g parameter generates too many addresses\n");
  check_message({"-g", "fe80::1%1", "fe80::2"}, "fping: different scopes for start and end addresses\n");
  check_message({"-g", "fe80::1%1", "fe80::2%2"}, "fping: different scopes for start and end addresses\n");
  // The end is read in the start's family.
  auto mixed = parse_fail({"-g", "192.0.2.1", "2001:db8::1"});
  CHECK(mixed.err.rfind("fping: can't parse address 2001:db8::1: ", 0) == 0);
  auto bad = parse_fail({"-g", "nonsense", "192.0.2.1"});
  CHECK(bad.err.rfind("fping: can't parse address nonsense: ", 0) == 0);
  // A reversed range generates nothing: fping exits 1 without a word.
  auto reversed = parse_fail({"-g", "192.0.2.9", "192.0.2.1"});
  CHECK(reversed.exit_code == 1);
  CHECK(reversed.err.empty());
  CHECK(reversed.out.empty());
}
