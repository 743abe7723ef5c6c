# The core's unit tests compiled with em++ and run under node (included from
# tests/CMakeLists.txt when EMSCRIPTEN is set, after sockjs_core_tests is defined).

# Catch2 is header-only here: its headers come from the symlink folder (cmake/Emscripten.cmake),
# never through Catch2::Catch2, whose include directory is the host's /usr/include.
target_link_libraries(sockjs_core_tests PRIVATE sockjs_wasm_deps)

# NODERAWFS: the tests read vectors from tests/data through the real file system (the absolute
# SOCKJS_TEST_DATA_DIR). EXIT_RUNTIME: main's return value becomes node's exit status, so a
# failing test fails in CTest.
target_link_options(sockjs_core_tests PRIVATE
  -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1)
set_target_properties(sockjs_core_tests PROPERTIES
  CROSSCOMPILING_EMULATOR "${SOCKJS_WASM_EMULATOR}")

# Catch's own discovery runs `node sockjs_core_tests.js --list-test-names-only` after each link
# and registers one CTest test per test case, named exactly as in the native build. The
# toolchain file confines find_package to the Emscripten sysroot; Catch2's CMake scripts live on
# the host, so look there for them (only the scripts are used, not the Catch2::Catch2 target).
find_package(Catch2 REQUIRED CONFIG NO_CMAKE_FIND_ROOT_PATH)
include(Catch)
catch_discover_tests(sockjs_core_tests TEST_PREFIX "core: ")
