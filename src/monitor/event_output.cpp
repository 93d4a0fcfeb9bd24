#include "monitor/event_output.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "monitor/options.hpp"

namespace uping::monitor {

void EventOutput::request_flush() {
  if (flush_posted_ || out_.empty()) return;
  flush_posted_ = true;
  boost::asio::post(io_, [this] {
    flush_posted_ = false;
    flush();
  });
}

void EventOutput::flush() {
  if (write_error_ != 0) {
    out_.pending().clear();  // stdout failed once: nothing more goes to it
    return;
  }
  if (out_.empty()) return;
  write_error_ = out_.flush();
  if (write_error_ != 0) {
    report_write_error(write_error_, kExitError, BrokenPipe::reported, "--monitor: ");
    if (on_failure_) on_failure_();
  }
}

}  // namespace uping::monitor
