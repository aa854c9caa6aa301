// SPDX-License-Identifier: MIT
#pragma once

#include "core/tokenize/tokenizer.h"
#include "ui/strings.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::ui {

// How the loaded model turns prompt text into ids, as a value the GUI thread may use:
// core::Tokenizer is immutable and thread-safe, so the compute worker hands out a copy
// with the model's BOS policy, and the prompt-pair editor tokenizes and validates
// without asking the worker (tokenizing a prompt takes microseconds). Empty (no
// tokenizer) until a model with a tokenizer is loaded.
struct TextEncoder
{
    std::shared_ptr<const core::Tokenizer> tokenizer;
    std::optional<int32_t> bos; // prepended to every prompt when set (Model::encode)
    int64_t vocabularySize = 0; // the model's d_vocab (ids at or above it are invalid)

    explicit operator bool() const { return tokenizer != nullptr; }

    // A prompt as the model reads it (BOS included); the tokenizer must be set.
    std::vector<int32_t> encodePrompt(const std::string& text) const
    {
        std::vector<int32_t> ids;
        if (bos)
            ids.push_back(*bos);
        const auto body = tokenizer->encode(text);
        ids.insert(ids.end(), body.begin(), body.end());
        return ids;
    }
};

// A token as a short label for tables and axes: spaces drawn as "·", newlines escaped,
// "#id" when the tokenizer cannot render the id.
inline QString tokenLabel(const TextEncoder& encoder, int32_t id)
{
    QString text;
    try {
        text = toQString(encoder.tokenizer->tokenText(id));
    } catch (const std::exception&) {
        return QStringLiteral("#%1").arg(id);
    }
    text.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    text.replace(QLatin1Char(' '), QStringLiteral("·"));
    return text;
}

} // namespace patchbay::ui
