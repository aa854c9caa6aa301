#!/usr/bin/env python3
"""References for the real-model tests on Gemma-3-270M (tests/data/real-models/).

The model is gemma-3-270m-q4_k_m.gguf (llama.cpp's Q4_K_M quantization of google/gemma-3-270m),
looked for in ~/.cache/patchbay/models/gemma3-270m/; it is never committed. Everything here
comes from transformers' own GGUF loading:

  AutoTokenizer.from_pretrained(dir, gguf_file=...)         tokenization (GemmaConverter: the
                                                            scores are replaced by -id, tokens
                                                            of spaces respelled as "▁" runs)
  AutoModelForCausalLM.from_pretrained(dir, gguf_file=...)  logits (float32, eager attention;
                                                            transformers dequantizes with gguf-py
                                                            and subtracts 1 from every norm gain,
                                                            which llama.cpp's converter had added;
                                                            no Q/K permutation for gemma3)

gemma3-tokenization.json: for each text, the ids AutoTokenizer gives without special tokens.
gemma3-logits.json: for each prompt (with BOS: the file says add_bos_token true), the
last-position logits: the 20 largest (ids, values), a fixed slice of the vocabulary (ids
0..199 and every 1009th id), and max / logsumexp of the full row.

Rerun: python3 tools/reference/make_gemma3_references.py [--gguf PATH]
"""

import argparse
import json
import os
import sys
import tempfile

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "real-models")
DEFAULT_GGUF = os.path.join(os.environ.get("PATCHBAY_MODELS", os.path.expanduser("~/.cache/patchbay/models")),
                            "gemma3-270m", "gemma-3-270m-q4_k_m.gguf")

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "When Mary and John went to the store, John gave a drink to Mary.",
    "Don't you think it's weird? I'd say they'll come, we've seen it.",
    "SHOUTING IN CAPITALS AND MiXeD CaSe WoRdS",
    "Hyphenated-words, semi;colons: and (parentheses) [brackets] {braces}!",
    "Mr. Smith paid $3.50 for 2 apples at 10:30 a.m. on 2024-05-21.",
    "Numbers  42",
    "1234567890",
    "3.14159 2.71828 1e-10 -7 +8",
    "  12  34   56",
    "def f(x):\n    return x ** 2\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "<div class=\"a\">Hello</div>",
    "    indented    with    spaces",
    "\tTabbed\tline\t",
    "https://example.com/path?q=1&r=two#frag",
    "Café déjà vu, naïve façade, jalapeño, smörgåsbord.",
    "Ελληνικά κείμενα και λέξεις",
    "Русский текст с цифрами 2024",
    "日本語のテキストです。",
    "中文文本，包括标点符号。",
    "한국어 텍스트입니다",
    "नमस्ते दुनिया",
    "مرحبا بالعالم",
    "e\u0301 (combining acute) vs \u00e9",
    "Emoji: 😀👍🏽🇫🇷 and ❤️",
    "👨‍👩‍👧‍👦 family",
    "Math: ∑ x² ≤ ∞, ∀ε>0 ∃δ",
    "",
    " ",
    "   ",
    "\n",
    "\n\n\n",
    "line one\nline two\r\nline three",
    "trailing spaces   ",
    "   leading spaces",
    "a\u00a0non-breaking\u2009thin space",
    "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n",
    "text before<eos>text after<bos>",
    "not special: <start_of_turn > <end_of_turn",
    "rare bytes \x01\x7f and \U0010fffd",
]

PROMPTS = [
    "The capital of France is",
    "Once upon a time, there was a",
    "def fibonacci(n):\n    if n <= 1:\n        return n\n    return",
    "1, 2, 3, 4, 5,",
    "<start_of_turn>user\nWhat color is the sky?<end_of_turn>\n<start_of_turn>model\n",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default=DEFAULT_GGUF, help="the Gemma-3-270M GGUF")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        name = os.path.basename(args.gguf)
        os.symlink(os.path.abspath(args.gguf), os.path.join(tmp, name))
        tok = AutoTokenizer.from_pretrained(tmp, gguf_file=name)
        model = AutoModelForCausalLM.from_pretrained(tmp, gguf_file=name, dtype=torch.float32,
                                                     attn_implementation="eager")
    model.eval()

    rows = [{"text": t, "ids": tok(t, add_special_tokens=False)["input_ids"]} for t in TEXTS]
    with open(os.path.join(OUT, "gemma3-tokenization.json"), "w") as f:
        json.dump({
            "generator": "tools/reference/make_gemma3_references.py",
            "model": name,
            "transformers": transformers.__version__,
            "add_bos": bool(getattr(tok, "add_bos_token", True)),
            "texts": rows,
        }, f, ensure_ascii=False, indent=0)
        f.write("\n")

    vocab = model.config.vocab_size
    slice_ids = list(range(200)) + list(range(200, vocab, 1009))
    prompts = []
    with torch.no_grad():
        for prompt in PROMPTS:
            ids = tok(prompt, add_special_tokens=True)["input_ids"]
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
                "top1_text": tok.decode([top.indices[0].item()]),
            })
    with open(os.path.join(OUT, "gemma3-logits.json"), "w") as f:
        json.dump({
            "generator": "tools/reference/make_gemma3_references.py",
            "model": name,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "dtype": "float32",
            "bos": "prepended (tokenizer.ggml.add_bos_token is true)",
            "slice_ids": slice_ids,
            "prompts": prompts,
        }, f, ensure_ascii=False)
        f.write("\n")
    print(f"{len(TEXTS)} texts, {len(PROMPTS)} prompts -> {os.path.relpath(OUT, ROOT)}")
    for p in prompts:
        print(repr(p["prompt"][:40]), "->", repr(p["top1_text"]))


if __name__ == "__main__":
    sys.exit(main())
