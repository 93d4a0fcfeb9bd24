#pragma once
// A send and, in the same system call, the receive of whatever is then waiting on the socket: a
// two-request io_uring chain, IORING_OP_SENDMSG linked to a non-blocking IORING_OP_RECVMSG.
//
// Why: loopback (and any path that answers inside the sending call) has the echo reply queued
// before sendmsg returns, so a flood can take it in the same trip into the kernel. One system
// call per echo instead of two is most of what user space can save there: on a virtual machine a
// system call's entry and exit cost about a microsecond, more than uping's own work per echo.
//
// The ring is used directly through its three system calls; liburing is not needed for one
// fixed pair of requests. Where io_uring cannot be had (a kernel before 5.6, Docker's and
// Kubernetes' default seccomp profiles, kernel.io_uring_disabled) open() says so and the caller
// keeps using sendto and recvmsg.

#include <sys/socket.h>

#include <cstdint>
#include <optional>

namespace uping::net {

class SendReceiveRing {
 public:
  // Empty when the kernel refuses a ring or lacks either operation.
  static std::optional<SendReceiveRing> open() noexcept;

  SendReceiveRing(SendReceiveRing&& other) noexcept;
  SendReceiveRing& operator=(SendReceiveRing&& other) noexcept;
  SendReceiveRing(const SendReceiveRing&) = delete;
  SendReceiveRing& operator=(const SendReceiveRing&) = delete;
  ~SendReceiveRing();

  struct Outcome {
    int sent = 0;      // bytes sent, or -errno (-EAGAIN: the socket buffer is full)
    int received = 0;  // bytes received, or -errno: -EAGAIN nothing was waiting, -ECANCELED the send failed
    // The kernel did not finish the receive at once (a kernel that ignores MSG_DONTWAIT on a ring):
    // the receive was cancelled (what it took, if anything, is in `received`) and the ring must not
    // be used again.
    bool ring_unusable = false;
  };

  // Sends `request` on `fd` (MSG_DONTWAIT), then receives one datagram into `reply` (MSG_DONTWAIT):
  // `reply` is filled as recvmsg(2) fills it. Never blocks for the network. Empty when the
  // requests could not be submitted at all: nothing was sent, and the ring must not be used again.
  std::optional<Outcome> send_then_receive(int fd, const msghdr& request, msghdr& reply) noexcept;

 private:
  struct Mapping {
    void* address = nullptr;
    std::size_t length = 0;
  };
  SendReceiveRing() = default;
  void release() noexcept;
  bool submit(unsigned count, unsigned wait_for) noexcept;
  void push(std::uint8_t opcode, int fd, const void* message, std::uint32_t message_flags, std::uint8_t sqe_flags,
            std::uint64_t tag) noexcept;
  struct Collected {
    bool send = false;
    bool receive = false;
  };
  // Moves completions into `outcome`, waiting for more until `got.*until` (a bounded number of
  // waits: a signal can end each one).
  void collect(Outcome& outcome, Collected& got, bool Collected::*until) noexcept;

  int ring_fd_ = -1;
  Mapping rings_;        // the submission and completion rings (one mapping when the kernel shares them)
  Mapping cq_ring_;      // the completion ring when it is separate
  Mapping entries_;      // the submission queue entries
  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned* sq_array_ = nullptr;
  void* sqes_ = nullptr;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  void* cqes_ = nullptr;
};

}  // namespace uping::net
