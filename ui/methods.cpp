// SPDX-License-Identifier: MIT
#include "ui/methods.h"

#include <QCoreApplication>

namespace patchbay::ui {

namespace {

QString translated(const char* text) { return QCoreApplication::translate("patchbay::ui::Method", text); }

} // namespace

const core::MethodInfo* findMethod(const QString& name)
{
    for (const auto& m : core::methods())
        if (name == QLatin1String(m.name))
            return &m;
    return nullptr;
}

QString methodTitle(const QString& name)
{
    const auto* m = findMethod(name);
    return m ? translated(m->title) : name;
}

QString methodLabel(const core::MethodInfo& method) { return translated(method.label); }

QString methodSummary(const core::MethodInfo& method) { return translated(method.summary); }

} // namespace patchbay::ui
