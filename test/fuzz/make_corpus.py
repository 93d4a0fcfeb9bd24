#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz harnesses: hand-made packets for icmp_decode and command
lines for command_line. The output is committed; rerun this after changing it and commit the
difference. Files are named after what they hold, so a failing replay names its case.

    test/fuzz/make_corpus.py          # rewrites test/fuzz/corpus/
"""

import pathlib
import shutil
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"

V4_SOURCE = bytes([192, 0, 2, 1])
V4_TARGET = bytes([198, 51, 100, 7])
V4_ROUTER = bytes([203, 0, 113, 254])
V6_SOURCE = bytes.fromhex("20010db8000000000000000000000001")
V6_TARGET = bytes.fromhex("20010db8000000000000000000000007")
V6_ROUTER = bytes.fromhex("20010db80000000000000000000000fe")

IDENT = 0x1234


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp(type_: int, code: int, word: int, body: bytes = b"", v4: bool = True) -> bytes:
    """An ICMP message; the checksum is filled for IPv4 (the kernel checks ICMPv6's)."""
    message = struct.pack("!BBHI", type_, code, 0, word) + body
    if v4:
        message = message[:2] + struct.pack("!H", checksum(message)) + message[4:]
    return message


def iputils_payload(size: int = 56) -> bytes:
    """A timeval (seconds, microseconds, native 64-bit) then i mod 256 fill, as uping sends."""
    fill = bytes(i & 0xFF for i in range(size))
    if size < 16:
        return fill
    return struct.pack("<qq", 1_700_000_000, 123_456) + fill[16:]


def echo(type_: int, sequence: int, payload: bytes, v4: bool = True) -> bytes:
    return icmp(type_, 0, (IDENT << 16) | sequence, payload, v4)


def ipv4(payload: bytes, protocol: int = 1, source: bytes = V4_SOURCE,
         destination: bytes = V4_TARGET, options: bytes = b"", ttl: int = 64,
         total_length: int | None = None, flags_fragment: int = 0x4000,
         version_ihl: int | None = None) -> bytes:
    assert len(options) % 4 == 0
    ihl = 5 + len(options) // 4
    length = 20 + len(options) + len(payload) if total_length is None else total_length
    header = struct.pack("!BBHHHBBH4s4s", version_ihl if version_ihl is not None else 0x40 | ihl,
                         0, length, 0xBEEF, flags_fragment, ttl, protocol, 0, source, destination)
    header += options
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(payload: bytes, next_header: int = 58, source: bytes = V6_SOURCE,
         destination: bytes = V6_TARGET, hop_limit: int = 64) -> bytes:
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, hop_limit, source,
                       destination) + payload


# What our requests look like once quoted back inside an error (IPv4 keeps 8 bytes or more).
V4_REQUEST = echo(8, 3, iputils_payload())
V4_QUOTE = ipv4(V4_REQUEST, destination=V4_TARGET, source=V4_SOURCE)
V6_REQUEST = echo(128, 3, iputils_payload(), v4=False)
V6_QUOTE = ipv6(V6_REQUEST, source=V6_SOURCE, destination=V6_TARGET)
RECORD_ROUTE = bytes([7, 39, 4]) + bytes(36) + bytes([1])  # 40 bytes: RR, then a NOP


def packets() -> dict[str, bytes]:
    cases: dict[str, bytes] = {}
    payload = iputils_payload()

    # Echo replies as datagram sockets deliver them.
    cases["v4_reply_56"] = echo(0, 1, payload)
    cases["v4_reply_bad_checksum"] = bytearray(echo(0, 2, payload))
    cases["v4_reply_bad_checksum"][2] ^= 0xFF
    cases["v4_reply_header_only"] = echo(0, 3, b"")
    cases["v4_reply_short_payload_8"] = echo(0, 4, iputils_payload(8))
    cases["v4_reply_odd_length"] = echo(0, 5, iputils_payload(33))
    cases["v4_reply_wrong_data_byte"] = echo(0, 6, payload[:40] + b"\xAA" + payload[41:])
    cases["v4_reply_seq_65535"] = echo(0, 0xFFFF, payload)
    cases["v4_reply_large_1400"] = echo(0, 7, iputils_payload(1400))
    cases["v6_reply_56"] = echo(129, 1, payload, v4=False)
    cases["v6_reply_wrong_data_byte"] = echo(129, 2, payload[:20] + b"\x00" + payload[21:], v4=False)
    cases["v6_reply_header_only"] = echo(129, 3, b"", v4=False)
    cases["v6_reply_short_payload_15"] = echo(129, 4, iputils_payload(15), v4=False)

    # Our own requests: the error queue's view, and the raw socket's loopback.
    cases["v4_request"] = V4_REQUEST
    cases["v6_request"] = V6_REQUEST
    cases["v4_request_header_only"] = echo(8, 9, b"")

    # Raw IPv4 sockets: header first.
    cases["raw_v4_reply"] = ipv4(echo(0, 1, payload), source=V4_TARGET, destination=V4_SOURCE)
    cases["raw_v4_reply_ttl_1"] = ipv4(echo(0, 1, payload), ttl=1)
    cases["raw_v4_options_record_route"] = ipv4(echo(0, 1, payload), options=RECORD_ROUTE)
    cases["raw_v4_options_nop_pad"] = ipv4(echo(0, 1, payload), options=bytes([1, 1, 1, 0]))
    cases["raw_v4_link_padding"] = ipv4(echo(0, 1, iputils_payload(0))) + bytes(18)
    cases["raw_v4_total_length_beyond_buffer"] = ipv4(echo(0, 1, payload), total_length=200)
    cases["raw_v4_total_length_below_header"] = ipv4(echo(0, 1, payload), total_length=19)
    cases["raw_v4_total_length_cuts_icmp"] = ipv4(echo(0, 1, payload), total_length=24)
    cases["raw_v4_ihl_4"] = ipv4(echo(0, 1, payload), version_ihl=0x44)
    cases["raw_v4_ihl_15_short_buffer"] = ipv4(b"", version_ihl=0x4F)
    cases["raw_v4_version_6"] = ipv4(echo(0, 1, payload), version_ihl=0x65)
    cases["raw_v4_udp"] = ipv4(struct.pack("!HHHH", 53, 33434, 8, 0), protocol=17)
    cases["raw_v4_icmp_truncated_header"] = ipv4(b"\0\0\0")
    cases["raw_v4_request_looped"] = ipv4(V4_REQUEST, source=V4_SOURCE, destination=V4_SOURCE)
    cases["raw_v4_unreachable"] = ipv4(icmp(3, 1, 0, V4_QUOTE), source=V4_ROUTER,
                                       destination=V4_SOURCE)
    cases["raw_v4_time_exceeded_options"] = ipv4(icmp(11, 0, 0, V4_QUOTE), options=RECORD_ROUTE,
                                                 source=V4_ROUTER, destination=V4_SOURCE)

    # IPv4 errors, each quoting one of our requests.
    for code in (0, 1, 2, 3, 5, 9, 10, 13, 15, 16, 255):
        cases[f"v4_unreachable_code_{code}"] = icmp(3, code, 0, V4_QUOTE)
    cases["v4_unreachable_frag_needed_mtu_1400"] = icmp(3, 4, 1400, V4_QUOTE)
    cases["v4_unreachable_frag_needed_mtu_0"] = icmp(3, 4, 0, V4_QUOTE)
    cases["v4_source_quench"] = icmp(4, 0, 0, V4_QUOTE)
    for code in (0, 1, 2, 3, 4):
        cases[f"v4_redirect_code_{code}"] = icmp(5, code, int.from_bytes(V4_ROUTER, "big"),
                                                 V4_QUOTE)
    for code in (0, 1, 2):
        cases[f"v4_time_exceeded_code_{code}"] = icmp(11, code, 0, V4_QUOTE)
    cases["v4_parameter_problem_pointer_20"] = icmp(12, 0, 20 << 24, V4_QUOTE)
    cases["v4_parameter_problem_code_2"] = icmp(12, 2, 0, V4_QUOTE)
    cases["v4_error_quote_with_options"] = icmp(11, 0, 0, ipv4(V4_REQUEST, options=RECORD_ROUTE))
    cases["v4_error_quote_exactly_8"] = icmp(3, 1, 0, V4_QUOTE[:28])
    cases["v4_error_quote_7_after_header"] = icmp(3, 1, 0, V4_QUOTE[:27])
    cases["v4_error_quote_header_cut"] = icmp(3, 1, 0, V4_QUOTE[:19])
    cases["v4_error_no_quote"] = icmp(3, 1, 0)
    cases["v4_error_quote_options_cut"] = icmp(11, 0, 0, ipv4(V4_REQUEST, options=RECORD_ROUTE)[:50])
    cases["v4_error_quote_ihl_4"] = icmp(3, 1, 0, bytes([0x44]) + V4_QUOTE[1:])
    cases["v4_error_quote_udp"] = icmp(3, 3, 0, ipv4(struct.pack("!HHHH", 1, 2, 8, 0), protocol=17))
    cases["v4_error_quote_later_fragment"] = icmp(11, 1, 0, ipv4(V4_REQUEST, flags_fragment=0x00B9))
    cases["v4_error_quote_of_reply"] = icmp(3, 1, 0, ipv4(echo(0, 3, payload)))
    cases["v4_error_quote_of_v6_header"] = icmp(3, 1, 0, V6_QUOTE)

    # ICMPv6 errors, each quoting one of our requests.
    for code in range(0, 9):
        cases[f"v6_unreachable_code_{code}"] = icmp(1, code, 0, V6_QUOTE, v4=False)
    cases["v6_packet_too_big_1280"] = icmp(2, 0, 1280, V6_QUOTE, v4=False)
    cases["v6_packet_too_big_max"] = icmp(2, 0, 0xFFFFFFFF, V6_QUOTE, v4=False)
    for code in (0, 1, 2):
        cases[f"v6_time_exceeded_code_{code}"] = icmp(3, code, 0, V6_QUOTE, v4=False)
    for code in (0, 1, 2, 3):
        cases[f"v6_parameter_problem_code_{code}"] = icmp(4, code, 6, V6_QUOTE, v4=False)
    cases["v6_error_quote_exactly_8"] = icmp(1, 3, 0, V6_QUOTE[:48], v4=False)
    cases["v6_error_quote_7_after_header"] = icmp(1, 3, 0, V6_QUOTE[:47], v4=False)
    cases["v6_error_quote_header_cut"] = icmp(3, 0, 0, V6_QUOTE[:39], v4=False)
    cases["v6_error_quote_hop_by_hop"] = icmp(1, 0, 0, ipv6(bytes([58, 0, 1, 4, 0, 0, 0, 0])
                                                             + V6_REQUEST, next_header=0), v4=False)
    cases["v6_error_quote_version_4"] = icmp(1, 0, 0, V4_QUOTE + bytes(40), v4=False)
    cases["v6_error_quote_of_reply"] = icmp(3, 0, 0, ipv6(echo(129, 3, payload, v4=False)),
                                            v4=False)

    # Neither replies nor errors, and the too short.
    cases["v4_timestamp_request"] = icmp(13, 0, IDENT << 16, bytes(12))
    cases["v4_address_mask_reply"] = icmp(18, 0, IDENT << 16, bytes(4))
    cases["v6_router_advertisement"] = icmp(134, 0, 0x40000708, bytes(8), v4=False)
    cases["v6_neighbour_solicitation"] = icmp(135, 0, 0, V6_TARGET, v4=False)
    cases["v6_mld_query"] = icmp(130, 0, 0, bytes(20), v4=False)
    cases["empty"] = b""
    cases["one_byte_reply_type"] = b"\x00"
    cases["seven_bytes_reply"] = echo(0, 1, b"")[:7]
    cases["seven_bytes_unreachable"] = icmp(3, 1, 0)[:7]
    return {name: bytes(data) for name, data in cases.items()}


# argv[0] by first byte, as fuzz_command_line.cpp's kInvocations orders them.
PING, PING6, UPING, PING4, PATH_PING6, DOT_UPING4, EMPTY_NAME, NO_ARGV = "01234567"


def command_lines() -> dict[str, bytes]:
    lines = {
        "loopback_count": (PING, ["-c", "3", "127.0.0.1"]),
        "typical_v6": (PING6, ["-c", "2", "::1"]),
        "uping_host": (UPING, ["-c1", "-W", "2", "localhost"]),
        "ping4_name": (PING4, ["-n", "example.org"]),
        "path_ping6_name": (PATH_PING6, ["-c", "1", "example.org"]),
        "dot_uping4": (DOT_UPING4, ["-q", "192.0.2.1"]),
        "empty_program_name": (EMPTY_NAME, ["-c", "1", "::1"]),
        "no_argv_at_all": (NO_ARGV, []),
        "all_flags_clustered": (PING, ["-46qnvDO", "host"]),
        "flags_then_value_cluster": (PING, ["-qnc3", "host"]),
        "every_value_option": (PING, ["-c", "5", "-i", "0.2", "-W", "1.5", "-w", "10", "-s", "1000",
                                      "-t", "64", "-I", "lo", "10.0.0.1"]),
        "options_after_target": (PING, ["127.0.0.1", "-c", "2", "-i", "0.5"]),
        "double_dash": (PING, ["-c", "1", "--", "127.0.0.1"]),
        "double_dash_then_option": (PING, ["--", "-c", "1"]),
        "value_looks_like_option": (PING, ["-I", "-c", "host"]),
        "value_is_double_dash": (PING, ["-I", "--", "host"]),
        "lone_dash_operand": (PING, ["-"]),
        "empty_operand_last": (PING, ["-c", "1", ""]),
        "version": (PING, ["-V"]),
        "version_after_bad_value": (PING, ["-c", "0", "-V"]),
        "help": (PING, ["-h"]),
        "help_question_mark": (UPING, ["-?", "host"]),
        "help_in_cluster": (PING, ["-qh"]),
        "unknown_option": (PING, ["-x", "host"]),
        "unknown_option_in_cluster": (PING, ["-nqZ", "host"]),
        "long_option": (PING, ["--count=3", "host"]),
        "missing_argument": (PING, ["host", "-c"]),
        "missing_argument_cluster": (PING, ["-nw"]),
        "no_target": (PING, ["-c", "1"]),
        "two_targets": (PING, ["host1", "host2"]),
        "three_targets": (PING, ["a", "b", "c"]),
        "count_zero": (PING, ["-c", "0", "host"]),
        "count_negative": (PING, ["-c", "-5", "host"]),
        "count_letters": (PING, ["-c", "abc", "host"]),
        "count_trailing_garbage": (PING, ["-c", "3x", "host"]),
        "count_leading_blank_plus": (PING, ["-c", " +4", "host"]),
        "count_overflow": (PING, ["-c", "99999999999999999999", "host"]),
        "count_llong_max": (PING, ["-c", "9223372036854775807", "host"]),
        "count_empty": (PING, ["-c", "", "host"]),
        "deadline_zero": (PING, ["-w", "0", "host"]),
        "deadline_too_large": (PING, ["-w", "2147483648", "host"]),
        "interval_fraction": (PING, ["-i", "0.002", "host"]),
        "interval_below_user_minimum": (PING, ["-i", "0.001", "host"]),
        "interval_zero": (PING, ["-i", "0", "host"]),
        "interval_negative": (PING, ["-i", "-1", "host"]),
        "interval_garbage": (PING, ["-i", "0.5s", "host"]),
        "interval_garbage_only": (PING, ["-i", "abc", "host"]),
        "interval_empty": (PING, ["-i", "", "host"]),
        "interval_inf": (PING, ["-i", "inf", "host"]),
        "interval_nan": (PING, ["-i", "nan", "host"]),
        "interval_huge_exponent": (PING, ["-i", "1e400", "host"]),
        "interval_tiny_exponent": (PING, ["-i", "1e-400", "host"]),
        "interval_hex": (PING, ["-i", "0x1p-3", "host"]),
        "interval_int_max_edge": (PING, ["-i", "2147483.647", "host"]),
        "interval_comma": (PING, ["-i", "0,5", "host"]),
        "linger_negative": (PING, ["-W", "-0.5", "host"]),
        "linger_garbage": (PING, ["-W", "1ms", "host"]),
        "size_v4_max": (PING, ["-s", "65507", "127.0.0.1"]),
        "size_v4_over": (PING, ["-s", "65508", "127.0.0.1"]),
        "size_v6_max": (PING, ["-s", "65527", "::1"]),
        "size_v6_over": (PING, ["-s", "65528", "::1"]),
        "size_over_v4_on_name": (PING, ["-4", "-s", "65510", "host"]),
        "size_negative": (PING, ["-s", "-1", "host"]),
        "ttl_256": (PING, ["-t", "256", "host"]),
        "ttl_zero": (PING, ["-t", "0", "host"]),
        "both_families": (PING, ["-4", "-6", "host"]),
        "ping6_with_dash_4": (PING6, ["-4", "host"]),
        "interface_scoped_v6": (PING6, ["-I", "fe80::1%eth0", "fe80::2%eth0"]),
        "interface_bad_v6": (PING, ["-I", "bad:addr", "host"]),
        "interface_percent_only": (PING, ["-I", "%", "host"]),
        "repeated_values": (PING, ["-c", "1", "-c", "2", "-s", "10", "-s", "20", "host"]),
        "glued_values": (PING, ["-c3", "-i0.2", "-s100", "-t1", "-Ilo", "host"]),
        "non_ascii_target": (PING, ["\u00e9xample.\u4f8b", "-c", "1"]),
    }
    return {name: (program + "\0".join(args)).encode() for name, (program, args) in lines.items()}


def write(harness: str, cases: dict[str, bytes]) -> None:
    directory = CORPUS / harness
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for name, data in cases.items():
        (directory / name).write_bytes(data)


if __name__ == "__main__":
    write("icmp_decode", packets())
    write("command_line", command_lines())
    for harness in ("icmp_decode", "command_line"):
        files = list((CORPUS / harness).iterdir())
        print(f"{harness}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")
