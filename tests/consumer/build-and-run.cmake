# cmake -P script: configures, builds and runs tests/consumer/project in BINARY_DIR, the way a
# user's own project would use sockjs-cpp. Inputs (-D): MODE (see project/CMakeLists.txt),
# BINARY_DIR, PREFIX (an install prefix, for package and pkgconfig), SOCKJS_SOURCE_DIR (for
# subdirectory), GENERATOR, CXX, BUILD_TYPE, CXX_FLAGS, LINKER_FLAGS (those of the main build,
# so a sanitizer build links).
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${rc}): ${command}")
  endif()
endfunction()

file(REMOVE_RECURSE ${BINARY_DIR})
run(${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/project -B ${BINARY_DIR} -G ${GENERATOR}
  -DSOCKJS_CONSUME=${MODE}
  -DCMAKE_PREFIX_PATH=${PREFIX}
  -DSOCKJS_SOURCE_DIR=${SOCKJS_SOURCE_DIR}
  -DCMAKE_CXX_COMPILER=${CXX}
  -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
run(${CMAKE_COMMAND} --build ${BINARY_DIR} -j2)
run(${BINARY_DIR}/consumer)
if(EXISTS ${BINARY_DIR}/consumer_server)
  run(${BINARY_DIR}/consumer_server)
endif()
if(EXISTS ${BINARY_DIR}/consumer_redis)
  run(${BINARY_DIR}/consumer_redis)
endif()
