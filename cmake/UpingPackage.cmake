# uping as a library: `cmake --install` puts, in the component "development" (part of a plain
# install), the public headers, libuping.a, a CMake package (find_package(uping CONFIG) gives
# uping::core) and a pkg-config file. Included by the top-level CMakeLists.txt after uping_core.
include(CMakePackageConfigHelpers)

set(UPING_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/uping" CACHE STRING
    "Where cmake --install puts upingConfig.cmake (relative to the prefix)")
mark_as_advanced(UPING_INSTALL_CMAKEDIR)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/uping" "${PROJECT_BINARY_DIR}/generated/uping"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT development
        FILES_MATCHING PATTERN "*.hpp")
install(TARGETS uping_core EXPORT upingTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT development)
install(EXPORT upingTargets NAMESPACE uping:: FILE upingTargets.cmake
        DESTINATION "${UPING_INSTALL_CMAKEDIR}" COMPONENT development)

# Asio's io_context is compiled into libuping.a and shared with the program that passes it in:
# the package asks for exactly the Boost it was built with.
set(UPING_BOOST_VERSION "${Boost_VERSION}")
configure_package_config_file(cmake/upingConfig.cmake.in "${PROJECT_BINARY_DIR}/package/upingConfig.cmake"
                              INSTALL_DESTINATION "${UPING_INSTALL_CMAKEDIR}")
# 0.x: a new minor version may change the API, so only the same minor version is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/upingConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/upingConfig.cmake" "${PROJECT_BINARY_DIR}/package/upingConfigVersion.cmake"
        DESTINATION "${UPING_INSTALL_CMAKEDIR}" COMPONENT development)

# pkg-config: Boost is header-only here and ships no .pc file, so its include directory goes
# into Cflags unless the compiler searches it anyway (Debian: /usr/include).
set(UPING_PC_BOOST_CFLAGS "")
foreach(_uping_dir IN LISTS Boost_INCLUDE_DIRS)
  if(NOT _uping_dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
    string(APPEND UPING_PC_BOOST_CFLAGS " -I${_uping_dir}")
  endif()
endforeach()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(UPING_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(UPING_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(UPING_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(UPING_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
# The prefix is written at install time: `cmake --install --prefix` may differ from the configured one.
set(UPING_PC_PREFIX "@UPING_PC_PREFIX@")  # kept for the second pass, at install time
configure_file(cmake/uping.pc.in "${PROJECT_BINARY_DIR}/package/uping.pc.in" @ONLY)
install(CODE "
  set(UPING_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_BINARY_DIR}/package/uping.pc.in\" \"${PROJECT_BINARY_DIR}/package/uping.pc\" @ONLY)"
  COMPONENT development)
install(FILES "${PROJECT_BINARY_DIR}/package/uping.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
        COMPONENT development)
