// Target sources: address ranges (CIDR, start-end), the range walker, the line reader and the
// stream over all of them.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/targets.hpp"

using namespace uping::targets;
using uping::icmp::Family;

namespace {

AddressRange range(const std::string& spec) {
  auto parsed = parse_range(spec);
  INFO(spec);
  REQUIRE(std::holds_alternative<AddressRange>(parsed));
  return std::get<AddressRange>(parsed);
}

std::string refusal(const std::string& spec) {
  auto parsed = parse_range(spec);
  INFO(spec);
  REQUIRE(std::holds_alternative<RangeError>(parsed));
  return std::get<RangeError>(parsed).message;
}

std::vector<std::string> walk(const std::string& spec, std::size_t limit = 1000) {
  RangeWalker walker(range(spec));
  std::vector<std::string> out;
  while (auto address = walker.next()) {
    out.push_back(to_string(*address));
    if (out.size() > limit) break;
  }
  return out;
}

}  // namespace

TEST_CASE("an IPv4 CIDR block skips its network and broadcast addresses", "[targets]") {
  CHECK(walk("198.51.100.0/30") == std::vector<std::string>{"198.51.100.1", "198.51.100.2"});
  const auto block = range("198.51.100.0/24");
  CHECK(block.size() == 254);
  CHECK(to_string(block.first) == "198.51.100.1");
  CHECK(to_string(block.last) == "198.51.100.254");
  CHECK(range("127.0.0.0/16").size() == 65534);
  CHECK(range("127.0.0.0/12").size() == 1048574);
}

TEST_CASE("/31 keeps both addresses and /32 is one host", "[targets]") {
  CHECK(walk("198.51.100.6/31") == std::vector<std::string>{"198.51.100.6", "198.51.100.7"});
  CHECK(walk("198.51.100.9/32") == std::vector<std::string>{"198.51.100.9"});
  CHECK(walk("2001:db8::5/128") == std::vector<std::string>{"2001:db8::5"});
}

TEST_CASE("host bits after the prefix are ignored, as fping does", "[targets]") {
  CHECK(walk("198.51.100.77/30") == std::vector<std::string>{"198.51.100.77", "198.51.100.78"});
  CHECK(to_string(range("2001:db8::1234/120").first) == "2001:db8::1200");
}

TEST_CASE("an IPv6 block keeps every address", "[targets]") {
  const auto block = range("2001:db8::/120");
  CHECK(block.size() == 256);
  CHECK(block.first.family == Family::v6);
  const auto all = walk("2001:db8::/120");
  REQUIRE(all.size() == 256);
  CHECK(all.front() == "2001:db8::");
  CHECK(all[1] == "2001:db8::1");
  CHECK(all.back() == "2001:db8::ff");
}

TEST_CASE("start-end ranges are inclusive and may cross octets", "[targets]") {
  CHECK(walk("198.51.100.254-198.51.101.1") ==
        std::vector<std::string>{"198.51.100.254", "198.51.100.255", "198.51.101.0", "198.51.101.1"});
  CHECK(walk("198.51.100.5-198.51.100.5") == std::vector<std::string>{"198.51.100.5"});
  CHECK(walk("2001:db8::fffe - 2001:db8::1:1").size() == 4);
  CHECK(walk("255.255.255.254-255.255.255.255").size() == 2);  // the walker stops at the top
}

TEST_CASE("ranges that are too large are refused, /0 included", "[targets]") {
  CHECK(range("10.0.0.0/8").size() == (1U << 24) - 2);
  CHECK(range("2001:db8::/104").size() == (1U << 24));
  CHECK_THAT(refusal("0.0.0.0/0"), Catch::Contains("too many addresses"));
  CHECK_THAT(refusal("198.0.0.0/7"), Catch::Contains("too many addresses (33554430)"));
  CHECK_THAT(refusal("::/0"), Catch::Contains("too many addresses"));
  CHECK_THAT(refusal("2001:db8::/64"), Catch::Contains("too many addresses"));
  CHECK_THAT(refusal("2001:db8::/103"), Catch::Contains("too many addresses (33554432)"));
  CHECK_THAT(refusal("0.0.0.0-255.255.255.255"), Catch::Contains("too many addresses"));
}

TEST_CASE("malformed ranges are refused with a reason", "[targets]") {
  CHECK_THAT(refusal("198.51.100.0/33"), Catch::Contains("prefix length must be 0 to 32"));
  CHECK_THAT(refusal("2001:db8::/129"), Catch::Contains("prefix length must be 0 to 128"));
  CHECK_THAT(refusal("198.51.100.0/"), Catch::Contains("prefix length"));
  CHECK_THAT(refusal("198.51.100.0/-1"), Catch::Contains("prefix length"));
  CHECK_THAT(refusal("198.51.100.0/24x"), Catch::Contains("prefix length"));
  CHECK_THAT(refusal("198.51.100/24"), Catch::Contains("not an IPv4 or IPv6 address"));
  CHECK_THAT(refusal("host.example/24"), Catch::Contains("not an IPv4 or IPv6 address"));
  CHECK_THAT(refusal("198.51.100.9-198.51.100.1"), Catch::Contains("end is before start"));
  CHECK_THAT(refusal("198.51.100.1-2001:db8::1"), Catch::Contains("same address family"));
  CHECK_THAT(refusal("198.51.100.1-"), Catch::Contains("START-END"));
  CHECK_THAT(refusal("my-host"), Catch::Contains("START-END"));
  CHECK_THAT(refusal("198.51.100.1"), Catch::Contains("expected a CIDR block"));
  CHECK(refusal("  ") == "empty range");
}

TEST_CASE("addresses convert to socket addresses and back", "[targets]") {
  for (const std::string text : {"198.51.100.7", "2001:db8::7", "::1", "0.0.0.0"}) {
    const auto address = parse_address(text);
    REQUIRE(address);
    CHECK(to_string(*address) == text);
    const auto back = from_socket_address(to_socket_address(*address));
    REQUIRE(back);
    CHECK(*back == *address);
  }
  CHECK_FALSE(parse_address("localhost"));
  CHECK_FALSE(parse_address(""));
  CHECK_FALSE(parse_address("198.51.100.7 "));
}

TEST_CASE("the line reader takes the first word of each line, skipping blanks and comments", "[targets]") {
  std::istringstream in("198.51.100.1\n\n  # a comment\n\thost.example  trailing words\r\n2001:db8::1\n   \nlast");
  LineReader reader(in);
  std::vector<std::string> got;
  while (auto line = reader.next()) got.push_back(*line);
  CHECK(got == std::vector<std::string>{"198.51.100.1", "host.example", "2001:db8::1", "last"});
  CHECK(reader.line_number() == 7);
}

namespace {

// What the reader says about `text`: the first InputError's message, or empty when it takes it all.
std::string reader_refusal(const std::string& text) {
  std::istringstream in(text);
  LineReader reader(in, "list.txt");
  try {
    for (int i = 0; i < 1000 && reader.next(); ++i) {
    }
  } catch (const InputError& error) {
    return error.what();
  }
  return {};
}

}  // namespace

TEST_CASE("the line reader bounds a line (comments included) and does not echo it", "[targets]") {
  const std::string longest(kMaxLineBytes, 'a');
  CHECK(reader_refusal("198.51.100.1\n#" + longest.substr(1) + "\nlast\n").empty());
  const std::string refused = reader_refusal("198.51.100.1\n#" + longest + "\n");
  CHECK(refused == "list.txt: line 2: longer than 65536 bytes");
  // A file without a newline (/dev/zero, a binary) stops at the bound, not at the end of memory.
  CHECK(reader_refusal(std::string(4 * kMaxLineBytes, 'x')) == "list.txt: line 1: longer than 65536 bytes");
}

TEST_CASE("the line reader refuses a NUL byte and a target longer than a host name", "[targets]") {
  CHECK(reader_refusal(std::string("a\nb\nc\0d\n", 8)) == "list.txt: line 3: a NUL byte");
  CHECK(reader_refusal(std::string("\0", 1)) == "list.txt: line 1: a NUL byte");
  const std::string longest_name(kMaxTargetBytes, 'h');
  CHECK(reader_refusal("  " + longest_name + "  # a comment\n").empty());
  CHECK(reader_refusal("ok\n" + longest_name + "h trailing\n") == "list.txt: line 2: a target longer than 253 bytes");
}

TEST_CASE("opening a target file refuses directories and missing files", "[targets]") {
  const auto refusal = [](const std::string& path) {
    auto opened = open_target_file(path);
    return std::holds_alternative<std::string>(opened) ? std::get<std::string>(opened) : std::string();
  };
  CHECK(refusal("/") == "/: Is a directory");
  CHECK(refusal("/nonexistent/targets.txt") == "/nonexistent/targets.txt: No such file or directory");
  auto opened = open_target_file("/proc/self/status");
  REQUIRE(std::holds_alternative<TargetFile>(opened));
  TargetFile& file = std::get<TargetFile>(opened);
  FdReadBuffer buffer(file.fd(), file.name());
  std::istream in(&buffer);
  LineReader reader(in, file.name());
  CHECK(reader.next() == std::optional<std::string>("Name:"));
}

TEST_CASE("the stream gives names, then ranges, then file lines, with addresses when numeric", "[targets]") {
  std::istringstream file("203.0.113.9\nname.from.file\n");
  TargetStream stream({"localhost", "::1"}, {range("198.51.100.0/30"), range("2001:db8::1-2001:db8::2")}, &file);
  std::vector<std::string> texts;
  std::vector<bool> numeric;
  while (auto next = stream.next()) {
    texts.push_back(next->text);
    numeric.push_back(next->address.has_value());
    REQUIRE(texts.size() < 20);
  }
  CHECK(texts == std::vector<std::string>{"localhost", "::1", "198.51.100.1", "198.51.100.2", "2001:db8::1",
                                          "2001:db8::2", "203.0.113.9", "name.from.file"});
  CHECK(numeric == std::vector<bool>{false, true, true, true, true, true, true, false});
  CHECK_FALSE(stream.next());  // stays exhausted
}

TEST_CASE("what a stream still holds is counted without reading further", "[targets]") {
  std::istringstream file("203.0.113.9\n");
  TargetStream stream({"a.example", "b.example"}, {range("198.51.100.2-198.51.100.9"), range("2001:db8::/126")}, &file);
  Untaken left = stream.untaken();
  CHECK(left.names == 2);
  CHECK(left.range_addresses == 8 + 4);
  CHECK(left.file_left);
  for (int i = 0; i < 4; ++i) REQUIRE(stream.next());  // both names, 198.51.100.2 and .3
  left = stream.untaken();
  CHECK(left.names == 0);
  CHECK(left.range_addresses == 6 + 4);
  CHECK(std::string(file.str()) == "203.0.113.9\n");
  while (stream.next()) {
  }
  CHECK(stream.untaken().empty());  // the file read to its end

  TargetStream endless({}, {range("10.0.0.0/8")}, nullptr);
  REQUIRE(endless.next());
  CHECK(endless.untaken().range_addresses == 16777214 - 1);
  CHECK_FALSE(endless.untaken().file_left);
}

TEST_CASE("a large range streams without being materialised", "[targets]") {
  RangeWalker walker(range("10.0.0.0/8"));
  std::uint64_t count = 0;
  std::optional<IpAddress> last;
  while (auto address = walker.next()) {
    last = address;
    ++count;
  }
  CHECK(count == 16777214);
  REQUIRE(last);
  CHECK(to_string(*last) == "10.255.255.254");
}
