# Runs the test suites that read tests/data with SIPL_TEST_DATA pointing at a directory that does
# not exist. Passes when the binary exits 1 (tests failed) with every failure naming a missing
# file, and no test crashed (a signal would give another exit status and cut the run short).
set(nowhere "${CMAKE_CURRENT_BINARY_DIR}/sipl-no-test-data")
file(REMOVE_RECURSE "${nowhere}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env "SIPL_TEST_DATA=${nowhere}" ${TEST_BINARY}
                        "--gtest_filter=${FILTER}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "1")
  message(FATAL_ERROR "expected exit status 1 (failed tests, no crash), got '${rc}'\n${out}\n${err}")
endif()
string(REGEX MATCH "\\[  FAILED  \\] ([0-9]+) tests?, listed below" m "${out}")
if(NOT m)
  message(FATAL_ERROR "no failed-tests summary: the run did not finish\n${out}\n${err}")
endif()
set(failed "${CMAKE_MATCH_1}")
if(NOT "${FILTER}" STREQUAL "" AND failed EQUAL 0)
  message(FATAL_ERROR "no test failed without its data\n${out}")
endif()
string(REGEX MATCHALL "(test data file missing or unreadable|corpus disk [^ ]+ is not available): [^\n]*${nowhere}" named "${out}")
list(LENGTH named n_named)
if(n_named LESS failed)
  message(FATAL_ERROR "${failed} tests failed but only ${n_named} messages name a missing file\n${out}")
endif()
message(STATUS "${failed} tests failed cleanly without tests/data, each naming the missing file")
