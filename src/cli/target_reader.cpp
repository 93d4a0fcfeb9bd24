#include "cli/target_reader.hpp"

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <istream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace uping::targets {
namespace {

struct Shared {
  std::mutex mutex;
  std::condition_variable room;
  std::deque<std::string> lines;  // at most kMaxQueued
  bool ended = false;             // end of file, or the error below
  std::optional<std::string> error;
  bool closed = false;  // the source is gone: stop reading, post nothing
  bool wake_posted = false;
  boost::asio::io_context* io = nullptr;
  bool closed_on_loop = false;     // the same, for a wake-up already posted (loop's thread only)
  std::function<void()> on_ready;  // loop's thread only

  // Under the lock. One wake-up pending at a time: the loop takes all that is ready at once.
  void wake(const std::shared_ptr<Shared>& self) {
    if (closed || wake_posted) return;
    wake_posted = true;
    boost::asio::post(*io, [self] {
      {
        const std::lock_guard lock(self->mutex);
        self->wake_posted = false;
      }
      if (!self->closed_on_loop) self->on_ready();
    });
  }

  static void read_loop(const std::shared_ptr<Shared>& self, const TargetFile& file) {
    FdReadBuffer buffer(file.fd(), file.name());
    std::istream in(&buffer);
    LineReader reader(in, file.name());
    for (;;) {
      std::optional<std::string> line;
      std::optional<std::string> error;
      try {
        line = reader.next();
      } catch (const std::exception& failure) {
        error = failure.what();
      }
      std::unique_lock lock(self->mutex);
      if (!line) {
        self->ended = true;
        self->error = std::move(error);
        self->wake(self);
        return;
      }
      self->room.wait(lock, [&] { return self->closed || self->lines.size() < kMaxQueued; });
      if (self->closed) return;
      self->lines.push_back(std::move(*line));
      self->wake(self);
    }
  }
};

class BackgroundLines final : public LineSource {
 public:
  explicit BackgroundLines(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  BackgroundLines(const BackgroundLines&) = delete;
  BackgroundLines& operator=(const BackgroundLines&) = delete;

  ~BackgroundLines() override {
    shared_->closed_on_loop = true;
    {
      const std::lock_guard lock(shared_->mutex);
      shared_->closed = true;
      shared_->lines.clear();
    }
    shared_->room.notify_all();
  }

  // The loop takes the whole queue under one lock, not a lock per target: at most 2 × kMaxQueued
  // targets are held in all.
  Take take() override {
    if (batch_.empty()) {
      std::unique_lock lock(shared_->mutex);
      if (shared_->lines.empty()) {
        if (!shared_->ended) return {Kind::pending, {}};
        if (!shared_->error) return {};
        std::string error = std::move(*shared_->error);
        shared_->error.reset();
        throw InputError(error);
      }
      batch_.swap(shared_->lines);
      lock.unlock();
      shared_->room.notify_one();
    }
    Take took{Kind::target, std::move(batch_.front())};
    batch_.pop_front();
    return took;
  }

  bool has_ready() const override {
    if (!batch_.empty()) return true;
    const std::lock_guard lock(shared_->mutex);
    return !shared_->lines.empty() || shared_->ended;
  }

  bool at_end() const override {
    if (!batch_.empty()) return false;
    const std::lock_guard lock(shared_->mutex);
    return shared_->lines.empty() && shared_->ended && !shared_->error;
  }

 private:
  std::shared_ptr<Shared> shared_;
  std::deque<std::string> batch_;  // taken from the queue, loop's thread only
};

}  // namespace

std::unique_ptr<LineSource> read_in_background(boost::asio::io_context& io, TargetFile file,
                                               std::function<void()> on_ready) {
  auto shared = std::make_shared<Shared>();
  shared->io = &io;
  shared->on_ready = std::move(on_ready);
  auto source = std::make_unique<BackgroundLines>(shared);
  // Signals (SIGINT) are for the event loop's thread: the reader inherits a mask blocking them all,
  // so that its read() is never the call a signal interrupts.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    // The thread owns the file: it is closed when the thread is done with it, never under its read().
    std::thread([shared, file = std::move(file)]() { Shared::read_loop(shared, file); }).detach();
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw;
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return source;
}

}  // namespace uping::targets
