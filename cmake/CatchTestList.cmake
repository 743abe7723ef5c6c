# cmake -P script for sockjs_discover_catch_tests (cmake/CatchTests.cmake): runs
# `EMULATOR EXECUTABLE TEST_SPEC --list-test-names-only` and writes OUTPUT, a CTest script with
# one add_test per test case, each with PROPERTIES. Test case names may hold any character,
# `;` included, so they are never put in a CMake list here.
execute_process(COMMAND ${EMULATOR} ${EXECUTABLE} ${TEST_SPEC} --list-test-names-only
  WORKING_DIRECTORY ${WORKING_DIRECTORY}
  OUTPUT_VARIABLE names
  RESULT_VARIABLE rc)
# Catch exits with the number of test cases it listed; anything else is a crash.
if(NOT rc MATCHES "^[0-9]+$")
  message(FATAL_ERROR "${EXECUTABLE} --list-test-names-only failed: ${rc}")
endif()

set(command "")
foreach(arg IN LISTS EMULATOR)
  string(APPEND command " [==[${arg}]==]")
endforeach()
string(APPEND command " [==[${EXECUTABLE}]==]")
set(properties " WORKING_DIRECTORY [==[${WORKING_DIRECTORY}]==]")
foreach(arg IN LISTS PROPERTIES)
  string(APPEND properties " [==[${arg}]==]")
endforeach()

set(script "")
set(count 0)
while(NOT names STREQUAL "")
  string(FIND "${names}" "\n" eol)
  if(eol EQUAL -1)
    set(name "${names}")
    set(names "")
  else()
    string(SUBSTRING "${names}" 0 ${eol} name)
    math(EXPR eol "${eol} + 1")
    string(SUBSTRING "${names}" ${eol} -1 names)
  endif()
  string(REGEX REPLACE "\r$" "" name "${name}")
  if(name STREQUAL "")
    continue()
  endif()
  if(name MATCHES "]==]")
    message(FATAL_ERROR "test case name not supported (holds ]==]): ${name}")
  endif()
  # On Catch's command line `\`, `,`, `[` and `]` are special in a test spec.
  string(REPLACE "\\" "\\\\" spec "${name}")
  foreach(char , [ ])
    string(REPLACE "${char}" "\\${char}" spec "${spec}")
  endforeach()
  string(APPEND script
    "add_test([==[${PREFIX}${name}]==]${command} [==[${spec}]==] --warn NoTests)\n"
    "set_tests_properties([==[${PREFIX}${name}]==] PROPERTIES${properties})\n")
  math(EXPR count "${count} + 1")
endwhile()
if(count EQUAL 0)
  message(FATAL_ERROR "${EXECUTABLE} lists no test cases")
endif()
file(WRITE "${OUTPUT}" "${script}")
