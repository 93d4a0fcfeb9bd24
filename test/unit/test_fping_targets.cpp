// fping's reading of a -f file (or standard input): first word per line, comments, blank lines,
// its 255-byte pieces and "target name too long"; and add_name on numeric names (no name server).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fping/options.hpp"
#include "fping/targets.hpp"

using uping::fping::FpingOptions;
using uping::fping::parse_target_file;
using uping::fping::TargetList;
using Names = std::vector<std::string>;

TEST_CASE("fping target file: the first word of each line", "[fping]") {
  CHECK(parse_target_file("a\nb c d\n  \t e\tf\n").names == Names{"a", "b", "e"});
  CHECK(parse_target_file("last-without-newline").names == Names{"last-without-newline"});
  CHECK(parse_target_file("").names.empty());
  CHECK(parse_target_file("\n\n   \n\t\n").names.empty());
  CHECK(parse_target_file("x\r\ny\r\n").names == Names{"x", "y"});
}

TEST_CASE("fping target file: comments start with # as the first word", "[fping]") {
  CHECK(parse_target_file("# a comment\n  #indented too\nhost # trailing words are ignored anyway\n").names ==
        Names{"host"});
  CHECK(parse_target_file("a#b\n").names == Names{"a#b"});  // only a leading # makes a comment
}

TEST_CASE("fping target file: names up to 255 bytes, longer is an error", "[fping]") {
  const std::string longest(255, 'n');
  const auto fits = parse_target_file(longest + "\nnext\n");
  CHECK_FALSE(fits.too_long);
  CHECK(fits.names == Names{longest, "next"});

  const auto too_long = parse_target_file("before\n" + std::string(256, 'n') + "\nafter\n");
  CHECK(too_long.too_long);
  CHECK(too_long.names == Names{"before"});  // fping added the names before it, then stopped

  // A long line whose first word is short: the rest of the line is skipped, whatever it holds.
  const auto long_line = parse_target_file("short " + std::string(600, 'x') + "\nnext\n");
  CHECK_FALSE(long_line.too_long);
  CHECK(long_line.names == Names{"short", "next"});
}

TEST_CASE("fping target file: a word split across fping's 255-byte pieces", "[fping]") {
  // 250 blanks, then a 10-byte word: the first piece holds 5 bytes of it, the second the rest.
  const auto split = parse_target_file(std::string(250, ' ') + "abcdefghij\n");
  CHECK(split.names == Names{"abcdefghij"});
  // A piece of blanks only is skipped alone, as fping's loop does: the rest of that line is read
  // as a line of its own.
  const auto blank_piece = parse_target_file(std::string(300, ' ') + "later\n");
  CHECK(blank_piece.names == Names{"later"});
}

TEST_CASE("fping add_name: numeric names, -A, the family", "[fping]") {
  FpingOptions options;
  TargetList list;
  CHECK(uping::fping::add_name(options, "127.0.0.1", list).empty());
  CHECK(uping::fping::add_name(options, "::1", list).empty());
  REQUIRE(list.shown.size() == 2);
  CHECK(list.shown[0].display == "127.0.0.1");
  CHECK(list.shown[0].address == "127.0.0.1");
  CHECK(list.shown[0].name == "127.0.0.1");
  CHECK(list.shown[1].address == "::1");
  CHECK(list.addresses[1].family() == uping::icmp::Family::v6);
  CHECK(list.unknown_addresses == 0);

  options.family = uping::fping::AddressFamily::ipv4;
  TargetList v4_only;
  const auto emitted = uping::fping::add_name(options, "::1", v4_only);
  CHECK_FALSE(emitted.empty());  // "::1: <gai_strerror>" on stderr
  CHECK(v4_only.shown.empty());
  CHECK(v4_only.unknown_addresses == 1);

  FpingOptions show_address;
  show_address.show_address = true;
  TargetList shown;
  CHECK(uping::fping::add_name(show_address, "0x7f.1", shown).empty());  // inet_aton's forms resolve
  REQUIRE(shown.shown.size() == 1);
  CHECK(shown.shown[0].display == "127.0.0.1");
  CHECK(shown.shown[0].name == "0x7f.1");
}

TEST_CASE("fping target file: read in chunks of any size, the same names as read whole", "[fping]") {
  const std::string text = "a\n# c\n" + std::string(300, ' ') + "later\n" + std::string(250, ' ') + "abcdefghij\n" +
                           "short " + std::string(600, 'x') + "\nlast";
  const auto whole = parse_target_file(text);
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{255}, std::size_t{256}}) {
    uping::fping::TargetFileReader reader;
    Names names;
    for (std::size_t at = 0; at < text.size(); at += chunk) {
      reader.feed(std::string_view(text).substr(at, chunk));
      for (auto& name : reader.take_names()) names.push_back(name);
    }
    reader.end();
    for (auto& name : reader.take_names()) names.push_back(name);
    CHECK(names == whole.names);
  }
  CHECK(whole.names == Names{"a", "later", "abcdefghij", "short", "last"});
}

TEST_CASE("fping target file: a NUL byte ends the line's text, as for fping's sscanf", "[fping]") {
  using namespace std::string_literals;
  CHECK(parse_target_file("abc\0def\n\n127.0.0.1\n"s).names == Names{"abc", "127.0.0.1"});
  // fping's strchr misses a newline after the NUL: the next piece is the rest of the first word.
  CHECK(parse_target_file("abc\0\nxyz\nlast\n"s).names == Names{"abcxyz", "last"});
  CHECK(parse_target_file(std::string(1000, '\0')).names.empty());  // /dev/zero names nothing
  CHECK(parse_target_file("\0abc\nx\n"s).names == Names{"x"});
}
