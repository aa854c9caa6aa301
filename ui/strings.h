// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <string>

namespace patchbay::ui {

// The ui's one conversion between the core's std::string (UTF-8) and QString, both ways.
inline QString toQString(const std::string& text)
{
    return QString::fromStdString(text);
}

inline std::string toStdString(const QString& text)
{
    return text.toStdString();
}

} // namespace patchbay::ui
