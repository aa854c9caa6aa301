#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Refreshes translations/*.ts from the sources (new strings appear as unfinished entries
# for the translators; test_translations fails until they are translated).
# lupdate does not follow C++17 nested namespaces (`namespace patchbay::ui {`), so it names
# contexts "MainWindow" where tr() looks up "patchbay::ui::MainWindow": the contexts are
# unqualified for lupdate and qualified again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
lupdate=/usr/lib/qt6/bin/lupdate
[ -x "$lupdate" ] || lupdate=lupdate
files=(translations/patchbay_de.ts translations/patchbay_zh_CN.ts)
sed -i 's|<name>patchbay::ui::\([A-Za-z]*\)</name>|<name>\1</name>|' "${files[@]}"
# core/methods/methods.cpp: the method table's English texts, marked PATCHBAY_TRANSLATE_NOOP (context
# "Method"; ui/methods.cpp translates them).
"$lupdate" -no-obsolete -locations none -tr-function-alias QT_TRANSLATE_NOOP+=PATCHBAY_TRANSLATE_NOOP \
    ui app core/methods/methods.cpp -ts "${files[@]}"
sed -i 's|<name>\([A-Z][A-Za-z]*\)</name>|<name>patchbay::ui::\1</name>|' "${files[@]}"
grep -c 'type="unfinished"' "${files[@]}" || true
