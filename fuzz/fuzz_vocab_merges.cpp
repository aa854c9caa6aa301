// SPDX-License-Identifier: MIT
// GPT-2's vocab.json + merges.txt; the input is both files separated by the first NUL byte.
#include "core/tokenize/tokenizer.h"
#include "fuzz_input.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto* split = std::find(data, data + size, std::uint8_t(0));
    const auto vocab = patchbay::fuzz::writeInput("vocab.json", data, std::size_t(split - data));
    const std::size_t rest = split == data + size ? 0 : std::size_t(data + size - split - 1);
    const auto merges = patchbay::fuzz::writeInput("merges.txt", split == data + size ? data : split + 1, rest);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const auto tokenizer = patchbay::core::Tokenizer::fromVocabAndMerges(vocab, merges);
        const auto ids = tokenizer.encode(" Hello, world! 12 caf\xC3\xA9 <|endoftext|>\n");
        (void)tokenizer.decode(ids);
    });
    return 0;
}
