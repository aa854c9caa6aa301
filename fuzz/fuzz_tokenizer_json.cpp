// SPDX-License-Identifier: MIT
// tokenizer.json: the model, normalizers, pre-tokenizers, decoder and added tokens; a
// tokenizer that loads then encodes and decodes a fixed text with every kind of character.
#include "core/tokenize/tokenizer.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto file = patchbay::fuzz::writeInput("input-tokenizer.json", data, size);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const auto tokenizer = patchbay::core::Tokenizer::fromTokenizerJson(file);
        const auto ids = tokenizer.encode(" Hello, world! 12 3.5 caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 <|endoftext|>\n\t  x");
        (void)tokenizer.decode(ids);
        for (const auto id : ids)
            (void)tokenizer.tokenString(id);
    });
    return 0;
}
