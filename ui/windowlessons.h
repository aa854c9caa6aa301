// SPDX-License-Identifier: MIT
#pragma once

#include "ui/lessons.h"

namespace patchbay::ui {

class MainWindow;

// The window as lessons see it (LessonHost): each check kind of core::lessonKinds() read
// from the window's state (model, pairs, selection, attention, result on show, the graph's
// circuit and its metric, labels, groups), each action done as the user would (the same
// entry points as menus and clicks), and the placeholders' values. GUI thread only.
class WindowLessonHost final : public LessonHost
{
public:
    explicit WindowLessonHost(MainWindow* window) : m_window(window) {}

    bool holds(const core::LessonCondition& check, QString* why) const override;
    QString perform(const core::LessonCondition& action, const core::Lesson& lesson) override;
    bool busy() const override;
    QString placeholder(const QString& name, const QString& argument) const override;

private:
    MainWindow* m_window;
};

} // namespace patchbay::ui
