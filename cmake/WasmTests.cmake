# The core's unit tests compiled with em++ and run under node (included from
# tests/CMakeLists.txt when EMSCRIPTEN is set, after sockjs_core_tests is defined).

# Catch2 is header-only here: its headers come from the symlink folder (cmake/Emscripten.cmake),
# never through Catch2::Catch2, whose include directory is the host's /usr/include.
target_link_libraries(sockjs_core_tests PRIVATE sockjs_wasm_deps)

# NODERAWFS: the tests read vectors from tests/data through the real file system (the absolute
# SOCKJS_TEST_DATA_DIR). EXIT_RUNTIME: main's return value becomes node's exit status, so a
# failing test fails in CTest.
# The target runs under node (CMAKE_CROSSCOMPILING_EMULATOR, set in cmake/Emscripten.cmake).
target_link_options(sockjs_core_tests PRIVATE
  -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1)
