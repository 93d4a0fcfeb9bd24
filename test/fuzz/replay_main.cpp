// Replays saved inputs through a harness without libFuzzer, so the g++ build can run the committed
// corpus as an ordinary test. Arguments are files or directories (read recursively, in sorted
// order so a failure is reproducible); each file is one input.
//
//   uping_fuzz_replay_icmp_decode test/fuzz/corpus/icmp_decode
//   uping_fuzz_replay_icmp_decode crash-1234        # one reproducer

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz_target.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_under(const fs::path& root) {
  std::vector<fs::path> found;
  if (fs::is_directory(root)) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
  } else {
    found.push_back(root);
  }
  return found;
}

bool read_whole_file(const fs::path& path, std::vector<std::uint8_t>& bytes) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return false;
  bytes.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  return !stream.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <input file or corpus directory>...\n", argv[0]);
    return 2;
  }
  std::size_t replayed = 0;
  const std::vector<std::string> roots(argv + 1, argv + argc);
  for (const auto& root : roots) {
    std::error_code error;
    if (!fs::exists(root, error)) {
      std::fprintf(stderr, "%s: no such file or directory\n", root.c_str());
      return 2;
    }
    for (const auto& path : inputs_under(root)) {
      std::vector<std::uint8_t> bytes;
      if (!read_whole_file(path, bytes)) {
        std::fprintf(stderr, "%s: cannot read\n", path.c_str());
        return 2;
      }
      // Printed before the run: if the input crashes, the last line names it.
      std::fprintf(stderr, "replaying %s (%zu bytes)\n", path.c_str(), bytes.size());
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
      ++replayed;
    }
  }
  // An empty corpus would make the test pass while testing nothing.
  if (replayed == 0) {
    std::fprintf(stderr, "no inputs found\n");
    return 1;
  }
  std::printf("replayed %zu inputs without a failure\n", replayed);
  return 0;
}
