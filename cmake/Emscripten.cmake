# Settings for `emcmake cmake` builds (included from the top-level CMakeLists.txt when
# EMSCRIPTEN is set). Each one answers a gotcha of Emscripten 3.1.6 with node 20 on Debian 12
# (see /work/shared/TOOLCHAIN.md in the team notes).

# em++ runs its JS optimizer under node when linking at -O2/-O3, and Debian ships the
# optimizer's `acorn` module under /usr/share/nodejs, which node does not search by default.
set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)

# Catch2 and Boost.JSON throw; without -fexceptions (at compile AND link time) a throw aborts.
add_compile_options(-fexceptions)
add_link_options(-fexceptions)

# The node that runs wasm programs (tests, tools). emcmake's default emulator adds
# --experimental-wasm-threads, which node 20 rejects (then test discovery finds nothing);
# node 20's built-in fetch() cannot load a .wasm file from a plain path, so it is turned off.
# Every executable target created from here on runs under this emulator in CTest.
find_program(SOCKJS_NODE NAMES node nodejs REQUIRED)
set(SOCKJS_WASM_EMULATOR ${SOCKJS_NODE} --no-experimental-fetch)
set(CMAKE_CROSSCOMPILING_EMULATOR ${SOCKJS_WASM_EMULATOR})

# em++ must not see /usr/include (glibc's headers break it), yet Boost.JSON (header-only) and
# Catch2 are header libraries that work under em++. A folder in the build tree holding only
# symlinks to those two trees gives em++ exactly them and nothing else.
set(SOCKJS_WASM_INCLUDE_DIR ${CMAKE_BINARY_DIR}/wasm-include)
file(MAKE_DIRECTORY ${SOCKJS_WASM_INCLUDE_DIR})
foreach(dep boost catch2)
  if(NOT EXISTS /usr/include/${dep})
    message(FATAL_ERROR "/usr/include/${dep} is missing: run scripts/setup.sh")
  endif()
  file(CREATE_LINK /usr/include/${dep} ${SOCKJS_WASM_INCLUDE_DIR}/${dep} SYMBOLIC)
endforeach()
add_library(sockjs_wasm_deps INTERFACE)
target_include_directories(sockjs_wasm_deps SYSTEM INTERFACE ${SOCKJS_WASM_INCLUDE_DIR})
