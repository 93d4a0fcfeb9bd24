# Hardening as an INTERFACE target: a network tool parses hostile input.
add_library(uping_hardening INTERFACE)
if(UPING_HARDENING)
  target_compile_options(uping_hardening INTERFACE
    -fstack-protector-strong -fstack-clash-protection -fcf-protection
    $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
  target_compile_definitions(uping_hardening INTERFACE _GLIBCXX_ASSERTIONS)
  target_link_options(uping_hardening INTERFACE -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
endif()
