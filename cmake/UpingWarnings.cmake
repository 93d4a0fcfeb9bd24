# Warnings as an INTERFACE target, linked PRIVATE by every target of ours.
add_library(uping_warnings INTERFACE)
target_compile_options(uping_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(UPING_WARNINGS_AS_ERRORS)
  target_compile_options(uping_warnings INTERFACE -Werror)
endif()
