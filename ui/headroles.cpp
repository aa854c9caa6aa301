// SPDX-License-Identifier: MIT
#include "ui/headroles.h"
#include "ui/strings.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>
#include <limits>
#include <vector>

// The translation context. lupdate names it "HeadRoles" (declared outside the namespace)
// and tools/update-translations.sh qualifies it as it qualifies every context of ui/:
// "patchbay::ui::HeadRoles", what tr() looks up.
struct HeadRoles
{
    static QString tr(const char* text, const char* disambiguation = nullptr, int n = -1)
    {
        return QCoreApplication::translate("patchbay::ui::HeadRoles", text, disambiguation, n);
    }
};

namespace patchbay::ui {

namespace {

// The role names as written into labels: stable words (not translated), since labels are
// saved in sessions and circuit files and stripped again by the next run.
const char* const kRoles[] = {"induction", "previous-token", "duplicate-token"};

const std::vector<double>& roleScores(const core::HeadScores& s, int role)
{
    return role == 0 ? s.induction : role == 1 ? s.previousToken : s.duplicateToken;
}

bool isRolePart(const std::string& part)
{
    for (const char* role : kRoles) {
        const std::string prefix = std::string(role) + " ";
        if (part.rfind(prefix, 0) == 0) {
            const std::string number = part.substr(prefix.size());
            return !number.empty() && number.find_first_not_of("0123456789.") == std::string::npos;
        }
    }
    return false;
}

std::string trimmed(const std::string& s)
{
    const auto first = s.find_first_not_of(' ');
    if (first == std::string::npos)
        return {};
    return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

// A label without its role parts: the user's own text.
std::string userPart(const std::string& label)
{
    const auto dot = label.rfind(" · ");
    const std::string tail = dot == std::string::npos ? label : label.substr(dot + 4); // " · " is 4 bytes in UTF-8
    std::size_t from = 0;
    bool allRoles = !tail.empty();
    while (from <= tail.size() && allRoles) {
        const auto comma = tail.find(", ", from);
        const auto part = trimmed(tail.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
        allRoles = isRolePart(part);
        if (comma == std::string::npos)
            break;
        from = comma + 2;
    }
    if (!allRoles)
        return label;
    return dot == std::string::npos ? std::string() : label.substr(0, dot);
}

std::string twoDecimals(double v)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.2f", v);
    return buffer;
}

} // namespace

HeatmapData headRolesHeatmap(const core::HeadScores& scores)
{
    HeatmapData d;
    d.title = ::HeadRoles::tr("Head roles: attention on repeated random tokens");
    d.valueName = ::HeadRoles::tr("attention");
    d.rowTitle = ::HeadRoles::tr("layer");
    d.columnTitle = ::HeadRoles::tr("head (induction | previous | duplicate)");
    d.scale = ColourScale::Sequential;
    for (int role = 0; role < 3; ++role) {
        if (role > 0)
            d.columnLabels << QString();
        for (int h = 0; h < scores.heads; ++h)
            d.columnLabels << QStringLiteral("h%1").arg(h);
    }
    for (int l = 0; l < scores.layers; ++l) {
        d.rowLabels << QString::number(l);
        for (int role = 0; role < 3; ++role) {
            if (role > 0) {
                d.values << std::numeric_limits<double>::quiet_NaN();
                d.cellIds << QString();
            }
            for (int h = 0; h < scores.heads; ++h) {
                d.values << scores.at(roleScores(scores, role), l, h);
                d.cellIds << QStringLiteral("a%1.h%2").arg(l).arg(h);
            }
        }
    }
    return d;
}

std::map<std::string, std::string> withHeadRoleLabels(std::map<std::string, std::string> labels,
                                                      const core::HeadScores& scores, double threshold)
{
    for (auto it = labels.begin(); it != labels.end();) {
        it->second = userPart(it->second);
        it = it->second.empty() ? labels.erase(it) : std::next(it);
    }
    for (int l = 0; l < scores.layers; ++l)
        for (int h = 0; h < scores.heads; ++h) {
            std::string roles;
            for (int role = 0; role < 3; ++role) {
                const double v = scores.at(roleScores(scores, role), l, h);
                if (v >= threshold)
                    roles += (roles.empty() ? "" : ", ") + std::string(kRoles[role]) + " " + twoDecimals(v);
            }
            if (roles.empty())
                continue;
            auto& label = labels["a" + std::to_string(l) + ".h" + std::to_string(h)];
            label = label.empty() ? roles : label + " · " + roles;
        }
    return labels;
}

QString headRoleSummary(const core::HeadScores& scores, const std::vector<double>& values, double threshold, int shown)
{
    const auto heads = core::headsAbove(scores, values, threshold);
    if (heads.empty())
        return ::HeadRoles::tr("none");
    QStringList parts;
    for (std::size_t i = 0; i < heads.size() && static_cast<int>(i) < shown; ++i)
        parts << QStringLiteral("%1 %2").arg(toQString(heads[i].first)).arg(heads[i].second, 0, 'f', 2);
    QString text = parts.join(QStringLiteral(", "));
    const int more = static_cast<int>(heads.size()) - shown;
    if (more > 0)
        text = ::HeadRoles::tr("%1 and %n more", nullptr, more).arg(text);
    return text;
}

} // namespace patchbay::ui
