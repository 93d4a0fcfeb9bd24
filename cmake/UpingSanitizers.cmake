# ASan + UBSan as an INTERFACE target; enabled by -DUPING_SANITIZERS=ON (the "dev" preset).
add_library(uping_sanitizers INTERFACE)
if(UPING_SANITIZERS)
  set(_uping_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_compile_options(uping_sanitizers INTERFACE ${_uping_san})
  target_link_options(uping_sanitizers INTERFACE ${_uping_san})
endif()
