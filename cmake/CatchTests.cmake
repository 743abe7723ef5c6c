# sockjs_discover_catch_tests(<target> [PREFIX <prefix>] [TEST_SPEC <spec>...]
#                             [PROPERTIES <name> <value>...])
#
# Registers one CTest test per Catch2 test case of <target> (those selected by TEST_SPEC, if
# given), named <prefix><test case name>, with the given test properties. The cases are found
# by running `<target> --list-test-names-only` after each link (under the target's
# CROSSCOMPILING_EMULATOR, so the wasm build lists its cases through node).
#
# Why not Catch2's own catch_discover_tests: its 2.13 script splits a test case name at every
# `;` (CMake's list separator), and the halves then select no test case, which Catch reports as
# a pass. Here names are handled as plain strings, and every test runs with `--warn NoTests`,
# so a name that selects nothing fails instead of passing.
function(sockjs_discover_catch_tests target)
  cmake_parse_arguments(arg "" "PREFIX" "TEST_SPEC;PROPERTIES" ${ARGN})
  get_property(emulator TARGET ${target} PROPERTY CROSSCOMPILING_EMULATOR)
  set(tests_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
  set(include_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    BYPRODUCTS ${tests_file}
    COMMAND ${CMAKE_COMMAND}
      "-DEMULATOR=${emulator}"
      "-DEXECUTABLE=$<TARGET_FILE:${target}>"
      "-DPREFIX=${arg_PREFIX}"
      "-DTEST_SPEC=${arg_TEST_SPEC}"
      "-DPROPERTIES=${arg_PROPERTIES}"
      "-DWORKING_DIRECTORY=${CMAKE_CURRENT_BINARY_DIR}"
      "-DOUTPUT=${tests_file}"
      -P ${PROJECT_SOURCE_DIR}/cmake/CatchTestList.cmake
    COMMENT "Listing the test cases of ${target}"
    VERBATIM)
  # Until the target is built, a placeholder test says so (and fails).
  file(WRITE ${include_file}
    "if(EXISTS \"${tests_file}\")\n"
    "  include(\"${tests_file}\")\n"
    "else()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()
