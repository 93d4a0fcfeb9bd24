#include "system/resolver_pool.hpp"

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace uping {

struct ResolverPool::Shared {
  struct Job {
    std::string host;
    std::optional<icmp::Family> family;
    std::function<void(Resolution)> done;
  };

  std::mutex mutex;
  std::condition_variable work;
  std::deque<Job> jobs;
  boost::asio::io_context* io = nullptr;  // null once the pool is closed: answers are dropped
  bool closed_on_loop = false;            // the same, for answers already posted (loop's thread only)
  std::size_t threads = 0;
  std::size_t idle = 0;
  std::size_t outstanding = 0;  // the loop's thread alone reads and writes it

  // A worker holds the shared state, never the pool: it may outlive both the pool and the loop.
  static void work_loop(const std::shared_ptr<Shared>& self) {
    std::unique_lock lock(self->mutex);
    for (;;) {
      ++self->idle;
      self->work.wait(lock, [&] { return self->io == nullptr || !self->jobs.empty(); });
      --self->idle;
      if (self->io == nullptr) return;
      Job job = std::move(self->jobs.front());
      self->jobs.pop_front();
      lock.unlock();
      Resolution answer = resolve_target(job.host, job.family);
      lock.lock();
      // Under the lock: the pool's destructor cannot close (and the loop end) in between.
      if (self->io == nullptr) return;
      boost::asio::post(*self->io, [self, done = std::move(job.done), answer = std::move(answer)]() mutable {
        // Posted before the pool closed, run after: its owner (and the callback's) may be gone.
        if (self->closed_on_loop) return;
        --self->outstanding;
        done(std::move(answer));
      });
    }
  }
};

ResolverPool::ResolverPool(boost::asio::io_context& io, std::size_t max_threads)
    : shared_(std::make_shared<Shared>()), max_threads_(max_threads == 0 ? 1 : max_threads) {
  shared_->io = &io;
}

ResolverPool::~ResolverPool() {
  shared_->closed_on_loop = true;
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->io = nullptr;
    shared_->jobs.clear();
  }
  shared_->work.notify_all();
}

void ResolverPool::resolve(std::string host, std::optional<icmp::Family> family, std::function<void(Resolution)> done) {
  ++shared_->outstanding;
  bool start_worker = false;
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->jobs.push_back({std::move(host), family, std::move(done)});
    if (shared_->idle < shared_->jobs.size() && shared_->threads < max_threads_) {
      ++shared_->threads;
      start_worker = true;
    }
  }
  if (start_worker) {
    // Signals (SIGINT) are for the event loop's thread: a worker inherits a mask blocking them all.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    try {
      std::thread(&Shared::work_loop, shared_).detach();
    } catch (...) {
      pthread_sigmask(SIG_SETMASK, &previous, nullptr);
      const std::lock_guard lock(shared_->mutex);
      // The workers running take the job later; with none, nobody would.
      if (--shared_->threads == 0) throw;
      return;
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }
  shared_->work.notify_one();
}

std::size_t ResolverPool::outstanding() const noexcept { return shared_->outstanding; }

}  // namespace uping
