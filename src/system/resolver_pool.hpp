#pragma once
// Name resolution off the event loop's thread, shared by sweeps and health checks. getaddrinfo()
// blocks (seconds per name with a resolver that does not answer) and cannot be cancelled, so a few
// worker threads run it and post each answer back to the io_context, where the callback runs.
//
// Lifetime: the pool never joins a worker. Destroying it (deadline, SIGINT, done) only tells the
// workers to stop: a worker still blocked in getaddrinfo() finishes on its own and drops its
// answer, and the process may exit while it is blocked. So the pool must be destroyed before its
// io_context. Workers start on the first lookup, never before: capabilities are per thread and
// privileges are dropped before any name is resolved.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "system/resolve.hpp"
#include "uping/icmp.hpp"

namespace boost::asio {
class io_context;
}

namespace uping {

using Resolution = std::variant<Target, ResolveError>;

class ResolverPool {
 public:
  static constexpr std::size_t kDefaultThreads = 8;

  ResolverPool(boost::asio::io_context& io, std::size_t max_threads = kDefaultThreads);
  ~ResolverPool();
  ResolverPool(const ResolverPool&) = delete;
  ResolverPool& operator=(const ResolverPool&) = delete;

  // Queues a lookup; `done` runs later on the io_context's thread, unless the pool is destroyed
  // first (then never, even for an answer already posted).
  void resolve(std::string host, std::optional<icmp::Family> family, std::function<void(Resolution)> done);
  // Lookups queued or running whose answer has not been handed to its callback yet.
  std::size_t outstanding() const noexcept;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  std::size_t max_threads_;
};

}  // namespace uping
