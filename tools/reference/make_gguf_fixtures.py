#!/usr/bin/env python3
"""GGUF fixtures for the C++ reader and dequantizers (tests/data/gguf/).

With the `gguf` Python package (llama.cpp's gguf-py), nothing downloaded:

  quant-<TYPE>.gguf   one tensor "q" of TYPE and one F32 tensor "ref" holding what
                      gguf.quants.dequantize makes of it: the C++ dequantizer must give
                      "ref" bit for bit. Types gguf-py can quantize (F16, BF16, Q8_0,
                      Q4_0, Q4_1, Q5_0, Q5_1) are quantized from random data with
                      gguf.quants.quantize; the k-quants (Q2_K..Q6_K), which gguf-py only
                      dequantizes, are random blocks whose float16 scale fields hold
                      finite values.
  metadata-v3.gguf    every metadata value type (uint8 .. float64, bool, string, arrays
                      of numbers and strings, an array of arrays), general.alignment 64,
                      and three small tensors (F32, F16, Q8_0) at 64-byte alignment.
  metadata-v2.gguf    the same file stamped version 2 (the layouts are identical for
                      little-endian files).
  iq2_xxs.gguf        a tensor of a type that is read but not dequantized (IQ2_XXS).
  tokenizer-<pre>.gguf  a tiny byte-level BPE vocabulary (the 256 byte tokens, a few
                      merges, a control token and a user-defined one) under
                      tokenizer.ggml.pre "smollm", "gpt-2", "llama-bpe" and "qwen2";
                      tokenizer-expected.json: the ids the `tokenizers` library gives with
                      the pre-tokenizer llama.cpp runs for that name (its regexes in turn as
                      Split(behavior="isolated"), then ByteLevel without regex).

Rerun from anywhere: python3 tools/reference/make_gguf_fixtures.py
The output is deterministic for a given gguf-py version.
"""

import json
import os
import sys

import numpy as np

import gguf
from gguf import GGMLQuantizationType as T, GGUFValueType as V

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "data", "gguf")

QUANTIZABLE = [T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1]
K_QUANTS = [T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]
# Byte offsets of the float16 fields inside one k-quant block.
K_HALF_FIELDS = {T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208]}


def write(path, tensors, metadata=(), alignment=None):
    w = gguf.GGUFWriter(path, arch="patchbay-test")
    if alignment:
        w.add_custom_alignment(alignment)
    for key, value, vtype, sub in metadata:
        w.add_key_value(key, value, vtype, sub)
    for name, array, raw in tensors:
        w.add_tensor(name, array, raw_dtype=raw)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def quant_fixture(qtype, rng):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    rows, cols = (2, 512) if block == 256 else (3, 64)
    if qtype in QUANTIZABLE:
        data = rng.normal(0.0, 1.0, size=(rows, cols)).astype(np.float32)
        data[0, :block] *= 1e-3  # a block of small values
        data[1, : min(block, cols)] = 0.0  # an all-zero block
        if qtype in (T.F16, T.BF16):
            # exact corner cases of the conversion: subnormals, signed zero, infinities
            specials = [6e-8, -6e-8, 1e-5, -0.0, np.inf, -np.inf, 65504.0, 1e-40]
            data[2, : len(specials)] = specials
        q = gguf.quants.quantize(data, qtype)
        raw = q if qtype not in (T.F16,) else q.view(np.uint8).reshape(rows, -1)
        raw = raw.view(np.uint8).reshape(rows, -1)
    else:
        nblocks = rows * cols // block
        raw = rng.integers(0, 256, size=(nblocks, size), dtype=np.uint8)
        for field in K_HALF_FIELDS[qtype]:
            halves = rng.uniform(-0.05, 0.05, size=nblocks).astype(np.float16)
            halves[0] = np.float16(3e-6)  # a subnormal scale in the first block
            raw[:, field:field + 2] = halves.view(np.uint8).reshape(nblocks, 2)
        raw = raw.reshape(rows, -1)
    ref = gguf.quants.dequantize(raw, qtype).astype(np.float32).reshape(rows, cols)
    path = os.path.join(OUT, f"quant-{qtype.name}.gguf")
    write(path, [("q", raw, qtype), ("ref", ref, None)])
    return path


def metadata_fixture(rng):
    md = [
        ("test.u8", 200, V.UINT8, None),
        ("test.i8", -100, V.INT8, None),
        ("test.u16", 60000, V.UINT16, None),
        ("test.i16", -30000, V.INT16, None),
        ("test.u32", 4000000000, V.UINT32, None),
        ("test.i32", -2000000000, V.INT32, None),
        ("test.f32", 0.15625, V.FLOAT32, None),
        ("test.bool", True, V.BOOL, None),
        ("test.string", "héllo, GGUF", V.STRING, None),
        ("test.u64", 18000000000000000000, V.UINT64, None),
        ("test.i64", -9000000000000000000, V.INT64, None),
        ("test.f64", 2.718281828459045, V.FLOAT64, None),
        ("test.array.i32", [1, -2, 3], V.ARRAY, V.INT32),
        ("test.array.f32", [0.5, -1.25], V.ARRAY, V.FLOAT32),
        ("test.array.string", ["a", "", "ünï"], V.ARRAY, V.STRING),
        ("test.array.bool", [True, False], V.ARRAY, V.BOOL),
        ("test.array.nested", [[1, 2], [3]], V.ARRAY, V.ARRAY),
    ]
    f32 = rng.normal(size=(3, 5)).astype(np.float32)
    f16 = rng.normal(size=(2, 4)).astype(np.float16)
    q8 = gguf.quants.quantize(rng.normal(size=(1, 32)).astype(np.float32), T.Q8_0)
    path3 = os.path.join(OUT, "metadata-v3.gguf")
    write(path3, [("t.f32", f32, None), ("t.f16", f16, None), ("t.q8", q8, T.Q8_0)], md, alignment=64)
    data = bytearray(open(path3, "rb").read())
    assert data[4:8] == (3).to_bytes(4, "little")
    data[4:8] = (2).to_bytes(4, "little")
    path2 = os.path.join(OUT, "metadata-v2.gguf")
    open(path2, "wb").write(bytes(data))
    expected = {
        "f32": [float(x) for x in f32.reshape(-1)],
        "f16": [float(x) for x in f16.astype(np.float32).reshape(-1)],
        "q8": [float(x) for x in gguf.quants.dequantize(q8, T.Q8_0).reshape(-1)],
    }
    return path3, path2, expected


def iq_fixture(rng):
    block, size = gguf.GGML_QUANT_SIZES[T.IQ2_XXS]
    raw = rng.integers(0, 256, size=(1, size), dtype=np.uint8)
    raw[:, 0:2] = np.array([0.01], dtype=np.float16).view(np.uint8)
    path = os.path.join(OUT, "iq2_xxs.gguf")
    write(path, [("blk.0.attn_q.weight", raw, T.IQ2_XXS)])
    return path


# llama.cpp's regexes per tokenizer.ggml.pre (src/llama-vocab.cpp), Hugging Face syntax.
GPT2_RE = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_RE = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
             r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_RE = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
            r"|\s*[\r\n]+|\s+(?!\S)|\s+")
PRE_RULES = {"smollm": [r"\p{N}", GPT2_RE], "gpt-2": [GPT2_RE], "llama-bpe": [LLAMA3_RE], "qwen2": [QWEN2_RE]}
TOKENIZER_TEXTS = ["Numbers  42", "Numbers 42", "x 1234567", "Hello world, it's 2024!", "a\n\n  b\t c",
                   "<|endoftext|>Numbers  42<think>", "caf\u00e9 \u65e5\u672c \U0001F600", "   ", ""]


def tokenizer_fixtures():
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, Regex, AddedToken
    from transformers.convert_slow_tokenizer import bytes_to_unicode
    spell = bytes_to_unicode()
    tokens = [spell[b] for b in range(256)]
    merges = ["\u0120 \u0120", "\u0120 4", "4 2", "N u", "Nu m", "\u0120 w", "o r", "\u0120w or", "e r", "b er"]
    for m in merges:
        tokens.append(m.replace(" ", ""))
    tokens += ["<|endoftext|>", "<think>"]
    types = [1] * (len(tokens) - 2) + [3, 4]
    expected = {}
    for pre, rules in PRE_RULES.items():
        w = gguf.GGUFWriter(os.path.join(OUT, f"tokenizer-{pre}.gguf"), arch="llama")
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre(pre)
        w.add_token_list(tokens)
        w.add_token_types(types)
        w.add_token_merges(merges)
        w.add_bos_token_id(len(tokens) - 2)
        w.add_eos_token_id(len(tokens) - 2)
        w.add_add_bos_token(False)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
        tk = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)},
                                  merges=[tuple(m.split(" ")) for m in merges],
                                  ignore_merges=pre == "llama-bpe"))
        tk.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Split(Regex(r), behavior="isolated") for r in rules]
            + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        tk.decoder = decoders.ByteLevel()
        tk.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
        tk.add_tokens([AddedToken("<think>", special=False, normalized=False)])
        expected[pre] = {text: tk.encode(text).ids for text in TOKENIZER_TEXTS}
    assert expected["smollm"]["Numbers  42"] != expected["gpt-2"]["Numbers  42"]
    with open(os.path.join(OUT, "tokenizer-expected.json"), "w") as f:
        json.dump({"generator": "tools/reference/make_gguf_fixtures.py", "rules": PRE_RULES, "ids": expected}, f,
                  indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240521)
    written = []
    for qtype in QUANTIZABLE + K_QUANTS:
        written.append(quant_fixture(qtype, rng))
    p3, p2, expected = metadata_fixture(rng)
    written += [p3, p2]
    with open(os.path.join(OUT, "metadata-expected.json"), "w") as f:
        json.dump({"generator": "tools/reference/make_gguf_fixtures.py", "gguf": gguf.__version__
                   if hasattr(gguf, "__version__") else "?", "tensors": expected}, f, indent=1)
        f.write("\n")
    written.append(iq_fixture(rng))
    tokenizer_fixtures()
    # Check: gguf-py reads everything back as written.
    for path in written:
        r = gguf.GGUFReader(path)
        if os.path.basename(path).startswith("quant-"):
            q = r.get_tensor(0)
            ref = r.get_tensor(1)
            again = gguf.quants.dequantize(q.data, q.tensor_type).reshape(-1)
            assert np.array_equal(again.view(np.uint32), np.asarray(ref.data).reshape(-1).view(np.uint32)), path
        print(f"{os.path.relpath(path, os.path.join(HERE, '..', '..'))}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    sys.exit(main())
