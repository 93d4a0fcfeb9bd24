#include "wire/send_receive_ring.hpp"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <utility>

namespace uping::net {
namespace {

constexpr unsigned kEntries = 4;  // a send, its receive, and a cancel when a receive has to be taken back
constexpr std::uint64_t kSendTag = 1;
constexpr std::uint64_t kReceiveTag = 2;
constexpr std::uint64_t kCancelTag = 3;
// Waits for completions that are certain to come (a non-blocking send, a cancelled receive) are
// still bounded: a signal can interrupt each one.
constexpr int kMaxWaits = 16;

int ring_setup(unsigned entries, io_uring_params& params) noexcept {
  return static_cast<int>(::syscall(__NR_io_uring_setup, entries, &params));
}

int ring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) noexcept {
  return static_cast<int>(::syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, nullptr, 0));
}

bool supports(int fd, std::initializer_list<std::uint8_t> opcodes) noexcept {
  // io_uring_probe ends in a flexible array: room for every possible opcode after it.
  constexpr std::size_t kOps = 256;
  alignas(io_uring_probe) std::array<unsigned char, sizeof(io_uring_probe) + kOps * sizeof(io_uring_probe_op)> room{};
  auto* probe = reinterpret_cast<io_uring_probe*>(room.data());
  if (::syscall(__NR_io_uring_register, fd, IORING_REGISTER_PROBE, probe, kOps) != 0) return false;
  for (const auto opcode : opcodes) {
    if (opcode > probe->last_op || (probe->ops[opcode].flags & IO_URING_OP_SUPPORTED) == 0) return false;
  }
  return true;
}

// The kernel writes the completion tail and reads the submission tail from other contexts.
unsigned load_acquire(const unsigned* at) noexcept {
  return std::atomic_ref<const unsigned>(*at).load(std::memory_order_acquire);
}
void store_release(unsigned* at, unsigned value) noexcept {
  std::atomic_ref<unsigned>(*at).store(value, std::memory_order_release);
}

template <typename T>
T* at_offset(void* base, std::uint32_t offset) noexcept {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

}  // namespace

std::optional<SendReceiveRing> SendReceiveRing::open() noexcept {
  io_uring_params params{};
  SendReceiveRing ring;
  ring.ring_fd_ = ring_setup(kEntries, params);
  if (ring.ring_fd_ < 0) return std::nullopt;  // ENOSYS, EPERM (seccomp, io_uring_disabled), ENOMEM
  if (!supports(ring.ring_fd_, {IORING_OP_SENDMSG, IORING_OP_RECVMSG, IORING_OP_ASYNC_CANCEL})) return std::nullopt;

  const std::size_t sq_length = params.sq_off.array + params.sq_entries * sizeof(unsigned);
  const std::size_t cq_length = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
  const bool shared = (params.features & IORING_FEAT_SINGLE_MMAP) != 0;
  const auto map = [&](std::size_t length, off_t what) -> Mapping {
    void* address = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.ring_fd_, what);
    return address == MAP_FAILED ? Mapping{} : Mapping{address, length};
  };
  ring.rings_ = map(shared ? std::max(sq_length, cq_length) : sq_length, IORING_OFF_SQ_RING);
  if (!ring.rings_.address) return std::nullopt;
  void* cq_base = ring.rings_.address;
  if (!shared) {
    ring.cq_ring_ = map(cq_length, IORING_OFF_CQ_RING);
    if (!ring.cq_ring_.address) return std::nullopt;
    cq_base = ring.cq_ring_.address;
  }
  ring.entries_ = map(params.sq_entries * sizeof(io_uring_sqe), IORING_OFF_SQES);
  if (!ring.entries_.address) return std::nullopt;

  void* sq_base = ring.rings_.address;
  ring.sq_head_ = at_offset<unsigned>(sq_base, params.sq_off.head);
  ring.sq_tail_ = at_offset<unsigned>(sq_base, params.sq_off.tail);
  ring.sq_mask_ = *at_offset<unsigned>(sq_base, params.sq_off.ring_mask);
  ring.sq_array_ = at_offset<unsigned>(sq_base, params.sq_off.array);
  ring.sqes_ = ring.entries_.address;
  ring.cq_head_ = at_offset<unsigned>(cq_base, params.cq_off.head);
  ring.cq_tail_ = at_offset<unsigned>(cq_base, params.cq_off.tail);
  ring.cq_mask_ = *at_offset<unsigned>(cq_base, params.cq_off.ring_mask);
  ring.cqes_ = at_offset<io_uring_cqe>(cq_base, params.cq_off.cqes);
  return ring;
}

SendReceiveRing::SendReceiveRing(SendReceiveRing&& other) noexcept { *this = std::move(other); }

SendReceiveRing& SendReceiveRing::operator=(SendReceiveRing&& other) noexcept {
  if (this == &other) return *this;
  release();
  ring_fd_ = std::exchange(other.ring_fd_, -1);
  rings_ = std::exchange(other.rings_, {});
  cq_ring_ = std::exchange(other.cq_ring_, {});
  entries_ = std::exchange(other.entries_, {});
  sq_head_ = other.sq_head_;
  sq_tail_ = other.sq_tail_;
  sq_mask_ = other.sq_mask_;
  sq_array_ = other.sq_array_;
  sqes_ = other.sqes_;
  cq_head_ = other.cq_head_;
  cq_tail_ = other.cq_tail_;
  cq_mask_ = other.cq_mask_;
  cqes_ = other.cqes_;
  return *this;
}

SendReceiveRing::~SendReceiveRing() { release(); }

void SendReceiveRing::release() noexcept {
  for (Mapping* mapping : {&entries_, &cq_ring_, &rings_}) {
    if (mapping->address) ::munmap(mapping->address, mapping->length);
    *mapping = {};
  }
  if (ring_fd_ >= 0) ::close(ring_fd_);
  ring_fd_ = -1;
}

void SendReceiveRing::push(std::uint8_t opcode, int fd, const void* message, std::uint32_t message_flags,
                           std::uint8_t sqe_flags, std::uint64_t tag) noexcept {
  const unsigned tail = *sq_tail_;  // only this thread writes the tail
  const unsigned slot = tail & sq_mask_;
  auto* entry = static_cast<io_uring_sqe*>(sqes_) + slot;
  std::memset(entry, 0, sizeof *entry);
  entry->opcode = opcode;
  entry->fd = fd;
  entry->flags = sqe_flags;
  entry->addr = reinterpret_cast<std::uintptr_t>(message);
  entry->len = opcode == IORING_OP_ASYNC_CANCEL ? 0 : 1;  // one msghdr
  entry->msg_flags = message_flags;
  entry->user_data = tag;
  sq_array_[slot] = slot;
  store_release(sq_tail_, tail + 1);
}

// Submits what was pushed and waits for `wait_for` completions. False when the kernel took
// nothing: the pushed entries are withdrawn.
bool SendReceiveRing::submit(unsigned count, unsigned wait_for) noexcept {
  const unsigned tail = *sq_tail_;
  for (int attempt = 0; attempt < kMaxWaits; ++attempt) {
    if (ring_enter(ring_fd_, count, wait_for, IORING_ENTER_GETEVENTS) >= 0) return true;
    if (errno != EINTR) break;
    // Interrupted: if the kernel consumed the entries before the signal, only the wait is left.
    if (load_acquire(sq_head_) == tail) return true;
  }
  if (load_acquire(sq_head_) == tail) return true;
  store_release(sq_tail_, tail - count);
  return false;
}

void SendReceiveRing::collect(Outcome& outcome, Collected& got, bool Collected::*until) noexcept {
  for (int wait = 0;; ++wait) {
    unsigned head = *cq_head_;
    const unsigned tail = load_acquire(cq_tail_);
    for (; head != tail; ++head) {
      const auto& completion = static_cast<const io_uring_cqe*>(cqes_)[head & cq_mask_];
      if (completion.user_data == kSendTag) {
        outcome.sent = completion.res;
        got.send = true;
      } else if (completion.user_data == kReceiveTag) {
        outcome.received = completion.res;
        got.receive = true;
      }
    }
    store_release(cq_head_, head);
    if (got.*until || wait == kMaxWaits) return;
    ring_enter(ring_fd_, 0, 1, IORING_ENTER_GETEVENTS);
  }
}

std::optional<SendReceiveRing::Outcome> SendReceiveRing::send_then_receive(int fd, const msghdr& request,
                                                                           msghdr& reply) noexcept {
  push(IORING_OP_SENDMSG, fd, &request, MSG_DONTWAIT, IOSQE_IO_LINK, kSendTag);
  push(IORING_OP_RECVMSG, fd, &reply, MSG_DONTWAIT, 0, kReceiveTag);
  if (!submit(2, 1)) return std::nullopt;

  Outcome outcome;
  Collected got;
  collect(outcome, got, &Collected::send);
  if (got.receive) return outcome;
  if (!got.send) return std::nullopt;  // cannot happen with a non-blocking send; never reuse the ring then

  // The receive is still pending: this kernel parks a MSG_DONTWAIT receive instead of failing it.
  // Take it back, keeping whatever it may have received meanwhile, and stop using the ring: the
  // message headers must not outlive this call.
  outcome.ring_unusable = true;
  outcome.received = -ECANCELED;  // unless the receive completes before the cancel reaches it
  // An IORING_OP_ASYNC_CANCEL names its target by user_data, carried in the address field.
  push(IORING_OP_ASYNC_CANCEL, -1, reinterpret_cast<const void*>(kReceiveTag), 0, 0, kCancelTag);
  if (!submit(1, 1)) return outcome;
  collect(outcome, got, &Collected::receive);
  return outcome;
}

}  // namespace uping::net
