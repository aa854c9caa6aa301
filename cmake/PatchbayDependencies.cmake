# SPDX-License-Identifier: MIT
# Finds every third-party dependency once. Nothing Qt is searched for when neither the
# GUI nor the tests are built, so the core and the CLI build against a bare LibTorch
# (for example the CUDA LibTorch of a pip-installed PyTorch on a GPU machine).

# --- LibTorch -----------------------------------------------------------------------
# Any prefix works: Debian's libtorch-dev, a LibTorch zip, or
#   -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
find_package(Torch REQUIRED)
set(PATCHBAY_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TARGET c10_cuda OR CUDA_FOUND)
    set(PATCHBAY_TORCH_HAS_CUDA ON)
endif()
# TorchConfig puts its ABI flags into TORCH_CXX_FLAGS; they go on our torch targets only
# (never into the global CMAKE_CXX_FLAGS), see patchbay_use_torch().
separate_arguments(PATCHBAY_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")

# --- nlohmann-json (header only) ----------------------------------------------------
# Debian: nlohmann-json3-dev. Elsewhere, point PATCHBAY_NLOHMANN_JSON_INCLUDE_DIR at a
# directory containing nlohmann/json.hpp (that is how it is carried to a GPU machine).
set(PATCHBAY_NLOHMANN_JSON_INCLUDE_DIR "" CACHE PATH "Directory containing nlohmann/json.hpp (optional)")
if(PATCHBAY_NLOHMANN_JSON_INCLUDE_DIR)
    add_library(nlohmann_json_carried INTERFACE)
    target_include_directories(nlohmann_json_carried SYSTEM INTERFACE "${PATCHBAY_NLOHMANN_JSON_INCLUDE_DIR}")
    add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json_carried)
else()
    find_package(nlohmann_json 3.9 REQUIRED)
endif()

# --- PCRE2 (8-bit, UTF + UCP) --------------------------------------------------------
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
    pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
endif()
if(TARGET PkgConfig::PCRE2)
    add_library(patchbay_pcre2 ALIAS PkgConfig::PCRE2)
else()
    find_path(PATCHBAY_PCRE2_INCLUDE_DIR pcre2.h)
    find_library(PATCHBAY_PCRE2_LIBRARY NAMES pcre2-8 libpcre2-8.so.0)
    if(NOT PATCHBAY_PCRE2_INCLUDE_DIR OR NOT PATCHBAY_PCRE2_LIBRARY)
        message(FATAL_ERROR "PCRE2 (8-bit) not found: install libpcre2-dev, or set "
                            "PATCHBAY_PCRE2_INCLUDE_DIR and PATCHBAY_PCRE2_LIBRARY")
    endif()
    add_library(patchbay_pcre2_imported UNKNOWN IMPORTED)
    set_target_properties(patchbay_pcre2_imported PROPERTIES
        IMPORTED_LOCATION "${PATCHBAY_PCRE2_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${PATCHBAY_PCRE2_INCLUDE_DIR}")
    add_library(patchbay_pcre2 ALIAS patchbay_pcre2_imported)
endif()

# --- Qt 6 (only when something needs it) ---------------------------------------------
if(PATCHBAY_BUILD_GUI OR PATCHBAY_BUILD_TESTS)
    set(_qt_components Core Test)
    if(PATCHBAY_BUILD_GUI)
        list(APPEND _qt_components Gui Widgets PrintSupport Svg LinguistTools)
    endif()
    find_package(Qt6 6.4 REQUIRED COMPONENTS ${_qt_components})
    qt_standard_project_setup()
endif()

if(PATCHBAY_BUILD_GUI)
    find_package(QCustomPlotQt6 REQUIRED)
    if(PkgConfig_FOUND)
        pkg_check_modules(GRAPHVIZ REQUIRED IMPORTED_TARGET libgvc libcgraph)
    else()
        message(FATAL_ERROR "pkg-config is needed to find Graphviz (libgraphviz-dev)")
    endif()
endif()
