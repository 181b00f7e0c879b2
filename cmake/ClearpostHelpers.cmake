# Helpers shared by every Clearpost target.

# Compile options every first-party target gets.
function(clearpost_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # Not -Wnull-dereference: with GCC 12 at -O2 it fires inside libstdc++'s
    # own headers (streambuf), which would break the release build.
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                           -Wnon-virtual-dtor -Wold-style-cast -Wcast-align)
    if(CLEARPOST_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
      # GCC 12 at -O2 reports these two falsely inside libstdc++ (std::variant,
      # std::map, string concatenation): kept as warnings, not errors, so the
      # release build does not depend on the optimiser's guesses.
      if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${target} PRIVATE -Wno-error=maybe-uninitialized -Wno-error=restrict)
      endif()
    endif()
  endif()
endfunction()

# clearpost_add_library(NAME SOURCES a.cpp ... DEPS clearpost::x ... PRIVATE_DEPS ...)
# Creates clearpost_<NAME> with the alias clearpost::<NAME>. Public headers
# live in core/<NAME>/include/clearpost/<NAME>/.
function(clearpost_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target clearpost_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(clearpost::${name} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  clearpost_target_defaults(${target})
endfunction()

# clearpost_add_test(NAME SOURCES a.cpp ... DEPS clearpost::x ...)
# One Catch2 program per library; each TEST_CASE becomes a CTest test.
function(clearpost_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  set(target test_${name})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE clearpost_test_support ${ARG_DEPS})
  clearpost_target_defaults(${target})
  set(labels ${name})
  if(ARG_LABELS)
    list(APPEND labels ${ARG_LABELS})
  endif()
  # -w NoTests: a case whose name ctest cannot pass back as a filter (a ';'
  # splits it) would otherwise "pass" having run nothing.
  catch_discover_tests(${target} TEST_PREFIX "${name}: " TEST_SPEC "~[postgres]" EXTRA_ARGS -w NoTests
                       PROPERTIES LABELS "${labels}")
endfunction()

# clearpost_run_on_postgres(NAME)
# Registers test_<NAME>'s cases a second time, run on the throwaway
# PostgreSQL server of the "postgres" test fixture (tests/CMakeLists.txt):
# the same suite on the other store. Cases tagged [sqlite] stay out; cases
# tagged [postgres] run only here.
function(clearpost_run_on_postgres name)
  catch_discover_tests(test_${name} TEST_PREFIX "${name} on PostgreSQL: " TEST_SPEC "~[sqlite]" EXTRA_ARGS -w NoTests
                       PROPERTIES LABELS postgres
                                  ENVIRONMENT "CLEARPOST_TEST_POSTGRES=${CLEARPOST_TEST_POSTGRES_URI}"
                                  FIXTURES_REQUIRED postgres)
endfunction()
