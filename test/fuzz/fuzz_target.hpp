#pragma once
// What every harness shares: the libFuzzer entry point it defines, and an invariant check that
// aborts. abort() is what libFuzzer (and the replay runner, through the sanitizers' and ctest's
// eyes) reports as a crash, with the failed condition printed just before.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace uping::fuzz {

[[noreturn]] inline void invariant_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace uping::fuzz

// A macro so the message can quote the condition and its location.
#define UPING_FUZZ_CHECK(condition)                                                    \
  do {                                                                                 \
    if (!(condition)) ::uping::fuzz::invariant_failed(#condition, __FILE__, __LINE__); \
  } while (false)
