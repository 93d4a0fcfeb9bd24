#pragma once
// The single-target run of the iputils face, once the socket is ready: probes paced as iputils
// paces them (ping/pacer.hpp), sent and received through the wire layer (net::Endpoint), its
// events turned into statistics and iputils' lines (late replies, duplicates, -O, corrupted
// replies, ICMP errors, local errors), every line through the one stdout writer.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "cli/report.hpp"
#include "cli/stdout_writer.hpp"
#include "ping/options.hpp"
#include "system/resolve.hpp"
#include "uping/stats.hpp"
#include "wire/endpoint.hpp"

namespace uping {

// Output that cannot be written ends the run: a ping whose results are lost is useless.
struct OutputError {
  int error;
};

// stdout in one place: text is gathered and written with one write() per event handled (a flood
// of replies costs one system call per burst, not one per character), and always before anything
// goes to stderr so that the two streams keep their order. A failed write throws OutputError.
class Output {
 public:
  void add(std::string_view text) { writer_ += text; }
  // A reply line formatted straight into the pending text: no allocation once it has grown.
  void add_reply(const report::Reply& reply) { report::append_reply_line(writer_.pending(), reply); }
  void flush() {
    if (const int error = writer_.flush()) throw OutputError{error};
  }
  bool empty() const { return writer_.empty(); }
  std::size_t size() const { return writer_.size(); }

 private:
  StdoutWriter writer_;
};

// Everything run_ping learns before the session starts.
struct SessionPlan {
  bool multicast = false;        // broadcast or multicast destination: DUP! only with -v
  std::uint32_t flow_label = 0;  // IPv6 -F, put in the destination's sin6_flowinfo
};

// iputils' statistics block at the end of a run (`elapsed`: from the first send to the last).
std::string statistics_text(std::string_view name, const Statistics& stats, Micros elapsed, const Options& options);
// iputils' exit code: 0, or 1 when no reply came or -w ended the run short of -c replies.
int exit_code_of(const Statistics& stats, const Options& options);

// Runs until -c, -w, SIGINT or the linger after the last probe ends it; prints the statistics
// and returns iputils' exit code (0, or 1 when no reply came or -w ended short of -c).
int run_session(boost::asio::io_context& io, net::Endpoint& endpoint, const SessionPlan& plan, const Target& target,
                const Options& options, Output& output);

}  // namespace uping
