# SPDX-License-Identifier: MIT

# Warnings for our own targets (third-party headers are SYSTEM includes).
function(patchbay_set_warnings target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
    endif()
    if(PATCHBAY_ASAN)
        target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
        target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
endfunction()

# A target that includes LibTorch headers: torch linked PRIVATE, Qt keywords off (Qt's
# `slots` macro breaks LibTorch headers), torch's own ABI flags on this target only.
function(patchbay_use_torch target)
    target_link_libraries(${target} PRIVATE torch)
    target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS)
    target_compile_options(${target} PRIVATE ${PATCHBAY_TORCH_CXX_FLAGS})
    # LibTorch headers are noisy under -Wpedantic; treat them as system headers.
    get_target_property(_inc torch INTERFACE_INCLUDE_DIRECTORIES)
    if(_inc)
        target_include_directories(${target} SYSTEM PRIVATE ${_inc})
    endif()
    if(PATCHBAY_USE_PCH)
        target_precompile_headers(${target} PRIVATE "${PROJECT_SOURCE_DIR}/core/common/detail/torch_pch.h")
    endif()
endfunction()

# patchbay_add_test(NAME SOURCES a.cpp [b.cpp] [LIBS ...] [TORCH] [GUI] [TIMEOUT s])
# One Qt Test executable per unit, registered with CTest. TORCH: the test includes core's
# private torch headers. GUI: the test creates widgets (runs with the offscreen platform).
function(patchbay_add_test name)
    cmake_parse_arguments(ARG "TORCH;GUI" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE patchbay_core Qt6::Core Qt6::Test ${ARG_LIBS})
    target_compile_definitions(${name} PRIVATE
        QT_NO_KEYWORDS
        PATCHBAY_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
        PATCHBAY_SHARED_DATA_DIR="${PATCHBAY_SHARED_DATA_DIR}"
        PATCHBAY_CLI_PATH="$<TARGET_FILE:patchbay-cli>")
    target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}")
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    patchbay_set_warnings(${name})
    if(ARG_TORCH)
        target_link_libraries(${name} PRIVATE torch)
        target_compile_options(${name} PRIVATE ${PATCHBAY_TORCH_CXX_FLAGS})
        get_target_property(_inc torch INTERFACE_INCLUDE_DIRECTORIES)
        target_include_directories(${name} SYSTEM PRIVATE ${_inc})
    endif()
    add_test(NAME ${name} COMMAND ${name})
    # Time limits only catch hangs; speed is the benchmarks' business. On a loaded 2-core
    # machine (other builds and tests running) test_attribution took 458 s where it takes
    # ~40 s idle, and one of its functions 237 s, near QtTest's default 300 s watchdog.
    set(_env "QT_QPA_PLATFORM=offscreen;QTEST_FUNCTION_TIMEOUT=1800000")
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 2400)
    endif()
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${_env}" TIMEOUT ${ARG_TIMEOUT})
    if(ARG_LABELS)
        set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
    endif()
endfunction()
