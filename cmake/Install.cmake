# Installs the libraries, their headers and a CMake package, so that a consumer writes
#   find_package(sockjs CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE sockjs::core)   # or sockjs::server / sockjs::client /
#                                                      # sockjs::redis (the Redis backplane)
include(CMakePackageConfigHelpers)

set(SOCKJS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/sockjs CACHE STRING
  "Where sockjsConfig.cmake is installed")

# The server and the native client exist only in native builds (and only once written); the
# package describes whichever libraries this build has, with the dependencies they bring.
set(SOCKJS_INSTALLED_TARGETS sockjs_core)
foreach(target sockjs_server sockjs_client sockjs_redis)
  if(TARGET ${target})
    list(APPEND SOCKJS_INSTALLED_TARGETS ${target})
  endif()
endforeach()

# Dependencies a consumer's find_package(sockjs) must find again. The core links Boost.JSON
# (natively; under Emscripten it is header-only and compiled in). A static library's private
# dependencies are still link dependencies, hence find_dependency even for PRIVATE links.
set(SOCKJS_CONFIG_DEPENDENCIES "")
if(NOT EMSCRIPTEN)
  string(APPEND SOCKJS_CONFIG_DEPENDENCIES
    "find_dependency(Boost 1.81 CONFIG COMPONENTS json)\n")
endif()
if(TARGET sockjs_server OR TARGET sockjs_client)
  string(APPEND SOCKJS_CONFIG_DEPENDENCIES
    "find_dependency(Poco CONFIG COMPONENTS Net Util Foundation)\n"
    "find_dependency(Threads)\n")
endif()
if(TARGET sockjs_server)
  string(APPEND SOCKJS_CONFIG_DEPENDENCIES "find_dependency(OpenSSL)\n" "find_dependency(ZLIB)\n")
endif()
if(TARGET sockjs_redis)
  string(APPEND SOCKJS_CONFIG_DEPENDENCIES "find_dependency(Poco CONFIG COMPONENTS Redis)\n")
endif()
if(TARGET sockjs_client)
  string(APPEND SOCKJS_CONFIG_DEPENDENCIES "find_dependency(Poco CONFIG COMPONENTS NetSSL)\n")
endif()

install(TARGETS ${SOCKJS_INSTALLED_TARGETS} EXPORT sockjsTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Public headers: every part's include/ tree that exists (core always; server and native client
# once written).
foreach(part core server server/redis client-native)
  if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${part}/include)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${part}/include/
      DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
endforeach()

# The programs: the demo server (bin/sockjs-server) and the client CLI, when they exist.
foreach(program sockjs_server_demo sockjs_client_cli)
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

install(EXPORT sockjsTargets NAMESPACE sockjs:: FILE sockjsTargets.cmake
  DESTINATION ${SOCKJS_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/sockjsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sockjsConfig.cmake
  INSTALL_DESTINATION ${SOCKJS_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sockjsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/sockjsConfig.cmake ${PROJECT_BINARY_DIR}/sockjsConfigVersion.cmake
  DESTINATION ${SOCKJS_INSTALL_CMAKEDIR})

# pkg-config for the core, for builds that do not use CMake.
# The prefix is derived from where the .pc file lies, so `cmake --install --prefix DIR` works.
if(NOT EMSCRIPTEN)
  file(RELATIVE_PATH SOCKJS_PC_TO_PREFIX /_/${CMAKE_INSTALL_LIBDIR}/pkgconfig /_)
  string(REGEX REPLACE "/$" "" SOCKJS_PC_TO_PREFIX "${SOCKJS_PC_TO_PREFIX}")
  configure_file(${CMAKE_CURRENT_LIST_DIR}/sockjs-core.pc.in ${PROJECT_BINARY_DIR}/sockjs-core.pc
    @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/sockjs-core.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

# The license goes with every installed copy (MIT requires the notice to travel with it).
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sockjs)
