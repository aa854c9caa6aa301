// SPDX-License-Identifier: MIT
// The GGUF reader: header, metadata of every value type, tensor infos, alignment and
// extents; then every tensor dequantized (block formats over bytes the reader accepted)
// and the tokenizer its tokenizer.ggml.* keys describe, encoding and decoding a fixed text.
#include "core/io/gguf.h"
#include "core/tokenize/tokenizer.h"
#include "fuzz_input.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = patchbay::fuzz::writeInput("model.gguf", data, size);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const patchbay::core::GgufFile gguf(file);
        (void)gguf.typeSummary();
        for (const auto& key : gguf.keys())
            if (const auto* value = gguf.find(key))
                (void)value->describe();
        std::vector<float> out;
        for (const auto& t : gguf.tensors()) {
            // The reader bounds every extent; the fuzzer keeps files small, so a tensor's
            // element count is small too (64 MiB of floats at most here).
            if (t.numel > (int64_t{1} << 24))
                continue;
            try {
                out.resize(static_cast<std::size_t>(t.numel));
                gguf.dequantize(t, out.data());
            } catch (const patchbay::core::Error&) {
                // an unsupported type, named: the next tensor
            }
        }
        const auto tokenizer = patchbay::core::Tokenizer::fromGguf(gguf);
        const auto ids = tokenizer.encode("Hello world, 42 ünïcode 世界 🙂\n\tdef f(x):");
        (void)tokenizer.decode(ids);
    });
    return 0;
}
