// SPDX-License-Identifier: MIT
#include "core/tokenize/metaspace.h"

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/tokenize/normalizers.h"

namespace patchbay::core::tokenize {

MetaspaceOptions readMetaspace(const nlohmann::json& j, const std::string& where)
{
    MetaspaceOptions o;
    o.replacement = jsonOptionalString(j, "replacement", o.replacement, where);
    if (o.replacement.empty() || detail::findInvalidUtf8(o.replacement) != std::string::npos
        || detail::decodeUtf8(o.replacement, 0).length != o.replacement.size())
        throw Error(where + ": field \"replacement\" must be one character");
    if (jsonMember(j, "prepend_scheme")) {
        const std::string scheme = jsonOptionalString(j, "prepend_scheme", "", where);
        if (scheme == "first")
            o.prepend = MetaspaceOptions::Prepend::First;
        else if (scheme == "always")
            o.prepend = MetaspaceOptions::Prepend::Always;
        else if (scheme == "never")
            o.prepend = MetaspaceOptions::Prepend::Never;
        else
            throw Error(where + ": field \"prepend_scheme\" must be \"first\", \"always\" or \"never\", got \""
                        + scheme + "\"");
    } else if (jsonMember(j, "add_prefix_space")) {
        // files written before prepend_scheme existed
        o.prepend = jsonOptionalBool(j, "add_prefix_space", true, where) ? MetaspaceOptions::Prepend::Always
                                                                         : MetaspaceOptions::Prepend::Never;
    }
    o.split = jsonOptionalBool(j, "split", true, where);
    return o;
}

detail::AlignedText metaspaceTransform(const detail::AlignedText& in, const MetaspaceOptions& options,
                                       bool atInputStart)
{
    detail::AlignedText out = replaceAll(in, " ", options.replacement);
    const bool wanted = options.prepend == MetaspaceOptions::Prepend::Always
                        || (options.prepend == MetaspaceOptions::Prepend::First && atInputStart);
    if (wanted && out.text.compare(0, options.replacement.size(), options.replacement) != 0)
        out = prepend(out, options.replacement);
    return out;
}

} // namespace patchbay::core::tokenize
