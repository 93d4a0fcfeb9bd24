# Static release build (-DUPING_STATIC=ON, the "static" preset): one self-contained -static-pie
# executable that runs in an empty root file system (a `FROM scratch` image).
#
# Debian 12 ships fmt and spdlog only as shared libraries, so this configuration compiles both in,
# header-only (the uping_text target in CMakeLists.txt: FMT_HEADER_ONLY, SPDLOG_HEADER_ONLY,
# SPDLOG_FMT_EXTERNAL). The dynamic build is not affected.
#
# Defines uping_static_link: the link options of the executable (empty unless UPING_STATIC).
add_library(uping_static_link INTERFACE)

if(UPING_STATIC)
  if(UPING_SANITIZERS)
    message(FATAL_ERROR "UPING_STATIC and UPING_SANITIZERS exclude each other (the sanitizer runtimes are shared)")
  endif()
  # Every object position-independent, the executable a static PIE: ASLR without a loader.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  add_compile_options(-fPIE)
  target_link_options(uping_static_link INTERFACE -static-pie)
  # Size, for images: -Os rather than -O3 (2.34 MB against 2.58 MB with -O2; the speed figures
  # in docs/benchmarks.md are for the dynamic release build), one section per function and object
  # so that the linker drops what nothing calls (about 0.7 MB of libc, libstdc++ and header-only
  # library code), and CLI11 without std::filesystem (uping has no file options).
  add_compile_options($<$<CONFIG:Release>:-Os> -ffunction-sections -fdata-sections)
  add_compile_definitions(CLI11_HAS_FILESYSTEM=0)
  target_link_options(uping_static_link INTERFACE -Wl,--gc-sections)
  # Release: strip at link time; the binary is meant to be copied into images as it is.
  target_link_options(uping_static_link INTERFACE $<$<CONFIG:Release,MinSizeRel>:-s>)
endif()
