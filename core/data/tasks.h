// SPDX-License-Identifier: MIT
// Prompt-pair generators for the tasks with literature circuits (design.md §7): IOI,
// greater-than (and greater-than-digit, for tokenizers that split numbers into digits:
// the end year's first digit against the start year's), induction (whole words) and
// docstring. Every generator works with whatever tokenizer
// the model has: words that are not single tokens for it are left out (and counted),
// and each pair is checked to tokenize to equal clean and corrupted lengths.
#pragma once

#include "core/data/dataset.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace patchbay::core {

class Tokenizer;

// What one generator offers, for menus and usage lines.
struct TaskInfo
{
    std::string name;                     // "ioi", "greater-than", "induction", "docstring"
    std::string summary;                  // one line
    std::vector<std::string> corruptions; // the first is the default
    std::string metric;                   // the task's default metric: "logit-diff" or "prob-diff"
    // The word lists it reads, relative to the resources folder (findResource), or empty.
    std::string ingredients;
};
const std::vector<TaskInfo>& taskInfos();
// The generator called `name`; throws core::Error listing the task names.
const TaskInfo& taskInfo(const std::string& name);

struct TaskOptions
{
    std::string task;
    int n = 100;       // pairs to generate
    uint64_t seed = 0; // the same seed, options and tokenizer give the same pairs on every platform
    std::string corruption; // empty: the task's default (TaskInfo::corruptions.front())
    // ioi: "mixed" (pairs alternate BABA and ABBA templates, BABA first), "abba" or "baba".
    std::string templates = "mixed";
    // induction: T, the length of the random first half. The prompt is r1…rT r1…r(T−1), so
    // the answer rT completes the repeat; every pair has 2T − 1 tokens. Corruption "answer"
    // (the default) changes only rT in the first half, to the wrong answer w, so the
    // corrupted repeat predicts w; "first-half" draws a fresh first half r'1…r'T (the demo's
    // pairs). On SmolLM2-135M the fresh first half leaves EAP circuits unfaithful (CMD 0.37
    // against 0.07 with "answer"; docs/real-circuits.md).
    int length = 10;
    // The word lists (TaskInfo::ingredients format); empty: findResource(TaskInfo::ingredients).
    std::filesystem::path ingredients;
};

struct GeneratedTask
{
    // Text pairs (answers with their leading space), rows numbered from 1. data.task is
    // "greater-than" for greater-than, whose answers are the two-digit years after YY and
    // wrong answers the others, exactly as readDataset() reads an EAP-IG greater-than file.
    Dataset data;
    std::string task;
    std::string corruption;
    std::string metric; // the task's default metric
    // What was left out, by kind: "names", "places", "objects", "nouns", "words" (not single
    // tokens), "years" (XXYY not split as XX + YY), "pairs" (drawn, then rejected because
    // the prompts did not tokenize as built). Kinds with nothing left out are absent.
    std::map<std::string, int> skipped;
    // Every word left out (not a single token), by kind ("names", "places"…); the notes
    // show only the first few.
    std::map<std::string, std::vector<std::string>> skippedWords;
    std::vector<std::string> notes; // the same in words, one line each
};

// Generates options.n pairs. Throws core::Error for an unknown task or corruption, n < 1, an
// ingredients file that is missing or malformed (naming the file and field), or a
// tokenizer for which the task cannot be built (too few single-token words, no two-digit
// year tokens, prompts that never tokenize to equal lengths). Any thread.
GeneratedTask generateTask(const TaskOptions& options, const Tokenizer& tokenizer);

// Repeated random tokens, the standard probe for induction heads (Olsson et al. 2022):
// `count` sequences r1…rT r1…rT (T = length, the r distinct within a sequence) drawn from the
// induction generator's whole-word tokens, the same on every platform for a seed. No BOS.
// Throws core::Error when the vocabulary has fewer than T such tokens, or for count or
// length below 1. Any thread.
std::vector<std::vector<int32_t>> repeatedRandomTokens(const Tokenizer& tokenizer, int count, int length, uint64_t seed);

} // namespace patchbay::core
