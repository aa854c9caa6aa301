// SPDX-License-Identifier: MIT
#include "core/data/session.h"

#include "core/common/error.h"
#include "core/common/json.h"

#include <cmath>
#include <limits>

namespace patchbay::core {

namespace {

using Json = nlohmann::json;

constexpr const char* kFormat = "patchbay-session";
constexpr int kVersion = 1;

Json stringMap(const std::map<std::string, std::string>& map)
{
    Json j = Json::object();
    for (const auto& [k, v] : map)
        j[k] = v;
    return j;
}

std::map<std::string, std::string> readStringMap(const Json& parent, const char* key, const std::string& where)
{
    std::map<std::string, std::string> map;
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null())
        return map;
    if (!it->is_object())
        throw Error(where + ": \"" + key + "\" must be an object of strings");
    for (auto e = it->begin(); e != it->end(); ++e) {
        if (!e.value().is_string())
            throw Error(where + ": \"" + key + "\"." + e.key() + " must be a string");
        map[e.key()] = e.value().get<std::string>();
    }
    return map;
}

// Scores are written as numbers; NaN (a score a method could not compute) as null.
Json numbers(const std::vector<double>& values)
{
    Json j = Json::array();
    for (const double v : values)
        j.push_back(std::isfinite(v) ? Json(v) : Json());
    return j;
}

std::vector<double> readScores(const Json& parent, const char* key, const std::string& where)
{
    std::vector<double> out;
    const auto it = parent.find(key);
    if (it == parent.end())
        return out;
    if (!it->is_array())
        throw Error(where + ": \"" + key + "\" must be an array of numbers");
    out.reserve(it->size());
    for (std::size_t i = 0; i < it->size(); ++i) {
        const Json& v = (*it)[i];
        if (v.is_null())
            out.push_back(std::numeric_limits<double>::quiet_NaN());
        else if (v.is_number())
            out.push_back(v.get<double>());
        else
            throw Error(where + ": \"" + key + "\"[" + std::to_string(i) + "] is not a number");
    }
    return out;
}

Json runToJson(const SessionRun& run)
{
    const AttributionResult& r = run.scores;
    Json scores = {{"method", methodName(r.method)},
                   {"edge_scores", numbers(r.edgeScores)},
                   {"node_scores", numbers(r.nodeScores)},
                   {"node_position_scores", numbers(r.nodePositionScores)},
                   {"positions", r.positions},
                   {"clean_metric", r.cleanMetric},
                   {"reference_metric", r.referenceMetric},
                   {"seconds", r.seconds}};
    Json acdc = Json::array();
    for (const AcdcRun& a : r.acdc) {
        std::vector<int> kept(a.kept.begin(), a.kept.end());
        acdc.push_back({{"tau", a.tau}, {"kept", kept}, {"metric", a.metric}, {"evaluations", a.evaluations}});
    }
    scores["acdc"] = acdc;
    Json j = {{"key", run.key},
              {"settings", stringMap(run.settings)},
              {"model_key", run.modelKey},
              {"dataset_key", run.datasetKey},
              {"dataset_name", run.datasetName},
              {"pairs", run.pairs},
              {"scores", scores}};
    if (run.circuit)
        j["circuit"] = Json::parse(circuitToString(*run.circuit, CircuitFormat::Native));
    return j;
}

SessionRun runFromJson(const Json& j, const std::string& where)
{
    if (!j.is_object())
        throw Error(where + " must be an object");
    SessionRun run;
    run.key = jsonOptionalString(j, "key", "", where);
    run.settings = readStringMap(j, "settings", where);
    run.modelKey = jsonOptionalString(j, "model_key", "", where);
    run.datasetKey = jsonOptionalString(j, "dataset_key", "", where);
    run.datasetName = jsonOptionalString(j, "dataset_name", "", where);
    run.pairs = jsonOptionalInt(j, "pairs", 0, where);
    const auto s = j.find("scores");
    if (s == j.end() || !s->is_object())
        throw Error(where + ": \"scores\" is missing");
    const std::string sw = where + ".scores";
    AttributionResult& r = run.scores;
    try {
        r.method = parseMethod(jsonOptionalString(*s, "method", "eap", sw));
    } catch (const Error& e) {
        throw Error(sw + ": " + e.what());
    }
    r.edgeScores = readScores(*s, "edge_scores", sw);
    r.nodeScores = readScores(*s, "node_scores", sw);
    r.nodePositionScores = readScores(*s, "node_position_scores", sw);
    r.positions = jsonOptionalInt(*s, "positions", 0, sw);
    if (r.positions < 0 || (r.positions > 0 && r.nodePositionScores.size() % static_cast<std::size_t>(r.positions) != 0))
        throw Error(sw + ": node_position_scores do not divide into " + std::to_string(r.positions) + " positions");
    r.cleanMetric = jsonOptionalNumber(*s, "clean_metric", 0, sw);
    r.referenceMetric = jsonOptionalNumber(*s, "reference_metric", 0, sw);
    r.seconds = jsonOptionalNumber(*s, "seconds", 0, sw);
    if (const auto a = s->find("acdc"); a != s->end() && a->is_array()) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string aw = sw + ".acdc[" + std::to_string(i) + "]";
            AcdcRun acdc;
            acdc.tau = jsonOptionalNumber((*a)[i], "tau", 0, aw);
            acdc.metric = jsonOptionalNumber((*a)[i], "metric", 0, aw);
            acdc.evaluations = static_cast<std::size_t>(jsonOptionalInt((*a)[i], "evaluations", 0, aw));
            for (const double k : readScores((*a)[i], "kept", aw)) {
                if (!(k == 0 || k == 1))
                    throw Error(aw + ": \"kept\" holds a value other than 0 and 1");
                acdc.kept.push_back(k != 0 ? 1 : 0);
            }
            r.acdc.push_back(std::move(acdc));
        }
    }
    // Every run carries its circuit: the graph its scores are on.
    const auto c = j.find("circuit");
    if (c == j.end() || c->is_null())
        throw Error(where + ": \"circuit\" is missing");
    run.circuit = parseCircuitJson(*c, where + ".circuit");
    const Graph& graph = run.circuit->graph;
    if (!r.edgeScores.empty() && r.edgeScores.size() != graph.edges().size())
        throw Error(sw + ": \"edge_scores\" has " + std::to_string(r.edgeScores.size()) + " entries for a circuit of "
                    + std::to_string(graph.edges().size()) + " edges");
    if (!r.nodeScores.empty() && r.nodeScores.size() != graph.senders().size() && r.nodeScores.size() != graph.senders().size() + 1)
        throw Error(where + ": " + std::to_string(r.nodeScores.size()) + " node scores for a graph of "
                    + std::to_string(graph.senders().size()) + " senders");
    if (r.positions > 0 && r.nodePositionScores.size() != graph.senders().size() * static_cast<std::size_t>(r.positions))
        throw Error(where + ": node_position_scores holds " + std::to_string(r.nodePositionScores.size())
                    + " values, not " + std::to_string(graph.senders().size()) + " senders × "
                    + std::to_string(r.positions) + " positions");
    // Both are checked against the circuit's graph, so the message names the part at
    // fault (a short edge_scores used to be blamed on acdc[0].kept).
    for (std::size_t i = 0; i < r.acdc.size(); ++i)
        if (r.acdc[i].kept.size() != graph.edges().size())
            throw Error(sw + ".acdc[" + std::to_string(i) + "]: \"kept\" has " + std::to_string(r.acdc[i].kept.size())
                        + " entries for a circuit of " + std::to_string(graph.edges().size()) + " edges");
    return run;
}

} // namespace

std::string sessionToString(const Session& session)
{
    Json j = {{"format", kFormat},
              {"version", kVersion},
              {"model", {{"path", session.modelPath.string()},
                         {"fingerprint", session.modelFingerprint},
                         {"device", session.device},
                         {"dtype", session.dtype}}},
              {"settings", stringMap(session.settings)},
              {"current_run", session.currentRun},
              {"labels", stringMap(session.labels)},
              {"groups", stringMap(session.groups)},
              {"view", stringMap(session.view)}};
    if (session.dataset) {
        j["dataset"] = {{"file", session.datasetFile},
                        {"task", session.dataset->task},
                        {"pairs", Json::parse(datasetToString(*session.dataset, DatasetFormat::NativeJson))}};
    }
    if (session.canvas) {
        j["canvas"] = {{"title", session.canvasTitle},
                       {"circuit", Json::parse(circuitToString(*session.canvas, CircuitFormat::Native))}};
    }
    Json runs = Json::array();
    for (const SessionRun& run : session.runs)
        runs.push_back(runToJson(run));
    j["runs"] = runs;
    return j.dump(1) + "\n";
}

Session parseSession(const std::string& text, const std::string& where)
{
    Json j;
    try {
        j = parseJsonText(text, where);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; not a session file");
    }
    const auto format = j.is_object() ? j.find("format") : j.end();
    if (!j.is_object() || format == j.end() || !format->is_string() || format->get<std::string>() != kFormat)
        throw Error(where + ": not a Patchbay session (expected \"format\": \"" + std::string(kFormat) + "\")");
    const int version = jsonOptionalInt(j, "version", 1, where);
    if (version > kVersion)
        throw Error(where + ": session format version " + std::to_string(version)
                    + " is newer than this Patchbay reads (" + std::to_string(kVersion) + "); update Patchbay");

    Session s;
    const auto model = j.find("model");
    if (model == j.end() || !model->is_object())
        throw Error(where + ": \"model\" is missing");
    const std::string mw = where + ": model";
    s.modelPath = jsonOptionalString(*model, "path", "", mw);
    s.modelFingerprint = jsonOptionalString(*model, "fingerprint", "", mw);
    s.device = jsonOptionalString(*model, "device", "cpu", mw);
    s.dtype = jsonOptionalString(*model, "dtype", "float32", mw);
    s.settings = readStringMap(j, "settings", where);
    s.currentRun = jsonOptionalString(j, "current_run", "", where);
    s.labels = readStringMap(j, "labels", where);
    s.groups = readStringMap(j, "groups", where);
    s.view = readStringMap(j, "view", where);
    if (const auto d = j.find("dataset"); d != j.end() && d->is_object()) {
        const auto pairs = d->find("pairs");
        if (pairs == d->end())
            throw Error(where + ": dataset: \"pairs\" is missing");
        s.dataset = parseDatasetJson(*pairs, where + ": dataset");
        s.dataset->task = jsonOptionalString(*d, "task", "", where + ": dataset");
        s.datasetFile = jsonOptionalString(*d, "file", "", where + ": dataset");
        if (!s.datasetFile.empty())
            s.dataset->source = s.datasetFile;
    }
    if (const auto c = j.find("canvas"); c != j.end() && c->is_object()) {
        const auto circuit = c->find("circuit");
        if (circuit == c->end())
            throw Error(where + ": canvas: \"circuit\" is missing");
        s.canvas = parseCircuitJson(*circuit, where + ": canvas.circuit");
        s.canvasTitle = jsonOptionalString(*c, "title", "", where + ": canvas");
    }
    if (const auto runs = j.find("runs"); runs != j.end()) {
        if (!runs->is_array())
            throw Error(where + ": \"runs\" must be an array");
        for (std::size_t i = 0; i < runs->size(); ++i)
            s.runs.push_back(runFromJson((*runs)[i], where + ": runs[" + std::to_string(i) + "]"));
    }
    return s;
}

void writeSession(const Session& session, const std::filesystem::path& file)
{
    writeTextFileReplacing(file, sessionToString(session));
}

Session readSession(const std::filesystem::path& file)
{
    return parseSession(readTextFile(file), file.string());
}

} // namespace patchbay::core
