#pragma once
// The monitor's stdout: events gathered in one buffer and written once the current handler is
// done (one write for a burst of events). A failed write (EPIPE, ENOSPC) is said once on stderr and
// handed to the owner, which ends the run with exit 2: events that cannot be delivered must not
// pass for a success.

#include <functional>
#include <string>

#include "cli/stdout_writer.hpp"
#include "monitor/events.hpp"

namespace boost::asio {
class io_context;
}

namespace uping::monitor {

class EventOutput {
 public:
  EventOutput(boost::asio::io_context& io, EventFormat format, std::function<void()> on_failure)
      : io_(io), format_(format), on_failure_(std::move(on_failure)) {}

  EventFormat format() const noexcept { return format_; }
  // Where the events' append_* functions write; followed by request_flush().
  std::string& buffer() noexcept { return out_.pending(); }
  std::size_t size() const noexcept { return out_.size(); }

  void request_flush();  // a flush posted to the loop, at most one at a time
  void flush();          // now
  int error() const noexcept { return write_error_; }

 private:
  boost::asio::io_context& io_;
  EventFormat format_;
  std::function<void()> on_failure_;
  StdoutWriter out_;
  bool flush_posted_ = false;
  int write_error_ = 0;
};

}  // namespace uping::monitor
