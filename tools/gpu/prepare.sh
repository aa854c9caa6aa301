#!/bin/bash
# SPDX-License-Identifier: MIT
# Run HERE (the Debian development machine), before a GPU check: copies what the GPU machine
# lacks into .gpu-carry/ (git-ignored), which the device call carries beside the tree:
#   include/nlohmann/  and include/pcre2.h   header-only JSON and PCRE2's header (Debian's)
#   lib/libpcre2-8.so.0                      PCRE2 itself (the image may have no -dev package)
#   gpt2-tokenizer/                          vocab.json + merges.txt for the random models
# About 3 MB. Then: device run with carry [".gpu-carry"] and the command
#   bash tools/gpu/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=.gpu-carry
rm -rf "$C" && mkdir -p "$C/include" "$C/lib" "$C/gpt2-tokenizer"
cp -r /usr/include/nlohmann "$C/include/"
cp /usr/include/pcre2.h "$C/include/"
cp -L "$(ldconfig -p | awk '/libpcre2-8.so.0 .*x86-64/ {print $NF; exit}')" "$C/lib/libpcre2-8.so.0"
SHARED=${PATCHBAY_SHARED_DATA:-../shared/data}
cp "$SHARED/gpt2-tokenizer/vocab.json" "$SHARED/gpt2-tokenizer/merges.txt" "$C/gpt2-tokenizer/"
du -sh "$C"
