// without_icmp_datagram CMD [ARG...]: runs CMD the way a seccomp profile that refuses ICMP datagram
// sockets would: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) and socket(AF_INET6, SOCK_DGRAM,
// IPPROTO_ICMPV6) fail with EPERM (whatever SOCK_CLOEXEC/SOCK_NONBLOCK say); every other system
// call, and every other socket, is allowed. Lets live/diagnosis show that uping tells such a
// filter apart from the kernel's net.ipv4.ping_group_range (which answers EACCES).
//
// The filter matches system-call numbers of the architecture this is built for and the low
// 32 bits of each argument (little-endian); it is a test fixture, not a sandbox.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

namespace {

constexpr unsigned low_word_of_argument(unsigned index) {
  return static_cast<unsigned>(offsetof(seccomp_data, args)) + 8 * index;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: without_icmp_datagram CMD [ARG...]\n", stderr);
    return 2;
  }
  constexpr unsigned kDeny = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
  constexpr unsigned kTypeMask = 0xf;  // SOCK_TYPE_MASK: the flags live above it
  // Jump offsets count the instructions skipped; every "allow" lands on the last but one.
  std::array<sock_filter, 13> program{{
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 9),
      /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low_word_of_argument(0)),
      /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0),
      /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 6),
      /* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low_word_of_argument(1)),
      /* 6 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, kTypeMask),
      /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_DGRAM, 0, 3),
      /* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low_word_of_argument(2)),
      /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 2, 0),
      /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 1, 0),
      /* 11 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      /* 12 */ BPF_STMT(BPF_RET | BPF_K, kDeny),
  }};
  sock_fprog filter{static_cast<unsigned short>(program.size()), program.data()};
  // no_new_privs lets an unprivileged caller install the filter; the command inherits both.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) {
    std::fprintf(stderr, "without_icmp_datagram: cannot install the seccomp filter: %s\n", std::strerror(errno));
    return 2;
  }
  execvp(argv[1], argv + 1);
  std::fprintf(stderr, "without_icmp_datagram: %s: %s\n", argv[1], std::strerror(errno));
  return 127;
}
