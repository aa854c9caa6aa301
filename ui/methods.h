// SPDX-License-Identifier: MIT
// The core's method table (core/methods/methods.h) as the window shows it: looked up by the name a
// RunSettings carries, its texts translated (context "Method").
#pragma once

#include "core/methods/methods.h"

#include <QString>

namespace patchbay::ui {

// The row of a method name ("eap-ig"); nullptr for a name the table does not know.
const core::MethodInfo* findMethod(const QString& name);

QString methodTitle(const QString& name); // "EAP-IG"; the name itself when unknown
QString methodLabel(const core::MethodInfo& method); // "EAP-IG (inputs)"
QString methodSummary(const core::MethodInfo& method);

} // namespace patchbay::ui
