#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden tokenizer fixtures from Hugging Face `tokenizers` (the reference).

Writes tests/data/tokenizers/NAME/ for each fixture below:
  tokenizer.json        what `tokenizers` saves (minified); for gpt2-json a
                        tokenizer.skeleton.json instead (see below)
  tokenizer_config.json / special_tokens_map.json   where the fixture needs one for BOS/EOS/PAD
  cases.json            {"generator", "tokenizers_version", "vocab_size", "cases": [...]}
                        each case: {"text", "ids", "offsets", "decoded"}, for the
                        SentencePiece-style ones also "decoded_skip_special", and
                        "decode_cases": random id sequences with both decodings

ids      tokenizer.encode(text, add_special_tokens=False).ids
decoded  tokenizer.decode(ids, skip_special_tokens=False), except that an added token
         decodes to its content, not through the ByteLevel decoder (see reference_decode)
offsets  [begin, end) UTF-8 *byte* offsets into text, converted from the character
         offsets `tokenizers` gives Python, computed with the post-processor removed
         (ByteLevel's trim_offsets would cut leading spaces off). A token's offsets are
         null when they overlap a neighbour's (a character split across byte-level
         tokens: `tokenizers` gives every part the whole character). "offsets" is null
         for a whole case when the normalizer changes the text by more than lowercasing
         (NFC composition): `tokenizers` then aligns a composed character with its first
         source character only, while Patchbay aligns it with all of them.

gpt2-json: GPT-2's real vocab.json/merges.txt (shared/data/gpt2-tokenizer) converted to a
tokenizer.json by `tokenizers`. To keep 2 MB out of the repository, only the file minus
model.vocab and model.merges is committed (tokenizer.skeleton.json); the C++ test puts the
shared vocab and merges back in. This script checks that doing so reproduces the file
`tokenizers` wrote, exactly.

The small BPE fixtures are trained here on a built-in corpus (deterministic). Run from the
repository root, with the shared data folder next to it:

    python3 tools/reference/make_tokenizer_fixtures.py [--shared ../shared/data]
"""
import argparse
import copy
import json
import os
import random
import sys
import unicodedata

import tokenizers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'tests', 'data', 'tokenizers')

# Public pre-tokenizer patterns of the tokenizers these fixtures imitate.
GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

CORPUS = """\
The quick brown fox jumps over the lazy dog. When Mary and John went to the store,
John gave a drink to Mary. The war lasted from the year 1732 to the year 1789.
It's a test; we'll see what they've done. I'm sure you'd agree that he'll come.
Researchers study circuits in transformer language models: attention heads, MLPs,
residual streams, logits, and the edges between them. Patching an activation replaces
it with its value from another run; attribution patching estimates the effect linearly.
def add(self, files, target, overwrite=False):
    \"\"\"Add the files to the target.\"\"\"
    for f in files:
        if f not in target or overwrite:
            target[f] = load(f)
    return len(target)

for (int i = 0; i < n; ++i) { sum += values[i] * weights[i]; }
if (x != nullptr && x->size() > 0) return x->front();
Numbers: 3.14159, 2.71828, 1,000,000 and 2026-11-22; 42 + 58 = 100; 1234567890.
Prices went from $12.50 to $1,299.99 between 1999 and 2024 (an increase of 10392%).
Ünïcödé façade naïve café résumé — “quotes” and ‘single’ … déjà vu, Straße, Øresund.
日本語のテキストと中文字符。東京は日本の首都です。北京是中国的首都。
한국어 텍스트와 한글 문장입니다.
Русский текст: ёлка, ЁЖИК, привет мир. Ελληνικά: καλημέρα κόσμε, ΣΊΣΥΦΟΣ.
Emoji: 😀🚀👍🏽 and 🇩🇪 flags, 👨‍👩‍👧 family, ❤️ heart.
URL: https://example.com/path?query=1&x=y#frag and mailto:someone@example.org
CamelCaseIdentifier snake_case_identifier SCREAMING_CASE kebab-case-name
<html><body class="main"><p>Hello, world!</p></body></html>
{"key": "value", "list": [1, 2, 3], "nested": {"a": null, "b": true}}
SELECT name, COUNT(*) FROM users WHERE age > 30 GROUP BY name ORDER BY 2 DESC;
Tabs\tseparate\tcolumns\tin\tthis\tline.
    Indented text with four spaces, and        a long run of spaces.
The end. THE END! the end? The End...
"""

TEXTS = [
    "Hello world! It's a test; we'll see what they've done.",
    "I'll go. DON'T STOP. She'S here, they'RE not. We'VE, I'M, HE'LL, I'D, it'ſ",
    "def add(self, files, target, overwrite=False):\n    \"\"\"Add the files.\"\"\"\n"
    "    return [f for f in files if f]\n",
    "Numbers: 1234567 3.14159 1,000,000 2026-11-22 0x1F ½ ² ٣٤٥ ４２",
    "   leading spaces and trailing   ",
    "tabs\tand\ttabs\t\t\tend",
    "line one\nline two\r\nline three\n\n\nafter blank lines\n",
    "many     spaces    between          words",
    "Ünïcödé façade naïve café résumé — “quotes” and ‘single’ …",
    "decomposed: cafe\u0301 nai\u0308ve Ame\u0301lie A\u030a \u1100\u1161\u11a8 (hangul jamo)",
    "marks: e\u0301\u0323 vs \u1e39 vs \u00e9 and \u212b angstrom",
    "日本語のテキストと中文字符。한국어 텍스트",
    "Emoji: 😀🚀👍🏽 and 🇩🇪 flags 👨‍👩‍👧",
    "Русский текст, ёлка и ЁЖИК. Ελληνικά ΣΊΣΥΦΟΣ",
    "URL: https://example.com/path?query=1&x=y#frag <tag attr=\"v\">",
    "CamelCaseIdentifier snake_case_identifier SCREAMING_CASE kebab-case",
    "İstanbul ǅemal ﬁ ligature Ａｂｃ",
    "",
    " ",
    "\n",
    "a",
    "the quick brown fox jumps over the lazy dog",
]


# Random texts from pieces where regex engines and Unicode tables tend to disagree
# (U+180E is whitespace to PCRE2's \s but not to Oniguruma's, U+0085 the other way
# round in some engines, ſ case-folds to s, ...). Seeded, so the fixtures are stable.
RANDOM_PIECES = (list('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
                 + list(' \t\n\r  ') + list('\'’".,;:!?-_()[]{}<>/\\@#$%^&*+=|~`')
                 + ['é', 'e\u0301', 'ñ', 'ü', 'ß', 'İ', 'ſ', 'Σ', 'ς', 'ё', 'Ж', '日', '本', '語', '한', '글', '😀',
                    '👍🏽', '🇩🇪', '\u200d', '\u00a0', '\u2003', '\u3000', '\u0085', '\u2028', '½', '²', '٣', '４',
                    '\u0301', '\u0323', '\u180e', '\ufeff', '\x00', '\x0b', '\x0c', "'s", "'S", "'ll", "'LL",
                    "'t", "'re", "'ve", "'m", "'d", '    ', '\n\n', '<|endoftext|>', '<|im_start|>', '<mask>',
                    '[sep]', 'xyz', 'café'])


def random_texts(seed, count, max_pieces=24):
    rng = random.Random(seed)
    return [''.join(rng.choice(RANDOM_PIECES) for _ in range(rng.randint(1, max_pieces))) for _ in range(count)]


def bytes_to_unicode():
    """GPT-2's byte -> printable character table (byte-level vocabularies spell bytes so)."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_TO_CHAR = bytes_to_unicode()


def byte_offsets(text, offsets):
    """Character offsets -> UTF-8 byte offsets; null where tokens overlap."""
    starts = [0]
    for ch in text:
        starts.append(starts[-1] + len(ch.encode('utf-8')))
    out = [[starts[s], starts[e]] for s, e in offsets]
    result = []
    for i, (b, e) in enumerate(out):
        overlap = (i > 0 and out[i - 1][1] > b) or (i + 1 < len(out) and out[i + 1][0] < e)
        result.append(None if overlap else [b, e])
    return result


def reference_decode(tok, ids):
    """tok.decode(ids), except that added tokens are not fed to the ByteLevel decoder.

    `tokenizers` passes added tokens through the ByteLevel decoder too, which maps
    characters such as "é" (U+00E9) to the byte 0xE9 and so decodes a non-ASCII added
    token to U+FFFD. Patchbay decodes an added token to its (normalized) content, which
    is tok.id_to_token(id); runs of model tokens still go through tok.decode().
    """
    full = tok.decode(ids, skip_special_tokens=False)
    j = json.loads(tok.to_str())
    if not j.get('decoder') or j['decoder'].get('type') != 'ByteLevel':
        return full
    added = {t['id'] for t in j['added_tokens']}
    parts, run = [], []
    for i in ids:
        if i in added:
            if run:
                parts.append(tok.decode(run, skip_special_tokens=False))
                run = []
            parts.append(tok.id_to_token(i))
        else:
            run.append(i)
    if run:
        parts.append(tok.decode(run, skip_special_tokens=False))
    result = ''.join(parts)
    if all(tok.id_to_token(i).isascii() for i in ids if i in added):
        assert result == full, (result, full)
    return result


def make_cases(tok, texts, nfc, skip_special=False):
    raw = Tokenizer.from_str(tok.to_str())
    raw.post_processor = None
    cases = []
    for text in texts:
        enc = raw.encode(text, add_special_tokens=False)
        ref = tok.encode(text, add_special_tokens=False)
        assert enc.ids == ref.ids
        comparable = not nfc or unicodedata.normalize('NFC', text) == text
        cases.append({
            'text': text,
            'ids': enc.ids,
            'offsets': byte_offsets(text, enc.offsets) if comparable else None,
            'decoded': reference_decode(tok, enc.ids),
        })
        if skip_special:
            cases[-1]['decoded_skip_special'] = tok.decode(enc.ids, skip_special_tokens=True)
    return cases


def decode_cases(tok, seed, count):
    """Decodings of random id sequences (cut characters, stray "▁", specials anywhere)."""
    rng = random.Random(seed)
    n = tok.get_vocab_size(with_added_tokens=True)
    out = []
    for _ in range(count):
        ids = [rng.randrange(n) for _ in range(rng.randint(1, 8))]
        out.append({'ids': ids, 'decoded': tok.decode(ids, skip_special_tokens=False),
                    'decoded_skip_special': tok.decode(ids, skip_special_tokens=True)})
    return out


def write_fixture(name, tok, texts, nfc=False, configs=None, save_tokenizer=True, skip_special=False):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    if save_tokenizer:
        tok.save(os.path.join(d, 'tokenizer.json'), pretty=False)
    for fname, content in (configs or {}).items():
        with open(os.path.join(d, fname), 'w', encoding='utf-8') as f:
            json.dump(content, f, indent=2, ensure_ascii=False)
            f.write('\n')
    doc = {
        'generator': 'tools/reference/make_tokenizer_fixtures.py',
        'tokenizers_version': tokenizers.__version__,
        'vocab_size': tok.get_vocab_size(with_added_tokens=True),
        'cases': make_cases(tok, texts, nfc, skip_special),
    }
    with open(os.path.join(d, 'cases.json'), 'w', encoding='utf-8') as f:
        f.write('{\n')
        for key in ('generator', 'tokenizers_version', 'vocab_size'):
            f.write(' %s: %s,\n' % (json.dumps(key), json.dumps(doc[key])))
        f.write(' "cases": [\n')
        lines = [json.dumps(c, ensure_ascii=False) for c in doc['cases']]
        f.write(',\n'.join('  ' + line for line in lines))
        if skip_special:
            f.write('\n ],\n "decode_cases": [\n')
            lines = [json.dumps(c, ensure_ascii=False) for c in decode_cases(tok, len(name), 40)]
            f.write(',\n'.join('  ' + line for line in lines))
        f.write('\n ]\n}\n')
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print('%-22s vocab %6d  %3d cases  %7d bytes' % (name, doc['vocab_size'], len(texts), size))


def train(tok, vocab_size, special_tokens=(), byte_level=True, word_level=False):
    if word_level:
        trainer = trainers.WordLevelTrainer(vocab_size=vocab_size, special_tokens=list(special_tokens),
                                            show_progress=False)
    else:
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=list(special_tokens), show_progress=False,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet() if byte_level else [])
    lines = CORPUS.splitlines(keepends=True)
    tok.train_from_iterator(lines * 3, trainer)
    return tok


def gpt2_json(shared):
    src = os.path.join(shared, 'gpt2-tokenizer')
    vocab_file, merges_file = os.path.join(src, 'vocab.json'), os.path.join(src, 'merges.txt')
    tok = Tokenizer(models.BPE.from_file(vocab_file, merges_file))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    tok.add_special_tokens([AddedToken('<|endoftext|>', special=True)])

    full = json.loads(tok.to_str())
    skeleton = copy.deepcopy(full)
    skeleton['model']['vocab'] = {}
    skeleton['model']['merges'] = []
    # What the C++ test does: vocab.json as is, merges.txt lines (minus "#version") as pairs.
    with open(vocab_file, encoding='utf-8') as f:
        vocab = json.load(f)
    with open(merges_file, encoding='utf-8') as f:
        merges = [line.rstrip('\n').split(' ') for line in f
                  if line.strip() and not line.startswith('#version')]
    rebuilt = copy.deepcopy(skeleton)
    rebuilt['model']['vocab'] = vocab
    rebuilt['model']['merges'] = merges
    assert rebuilt == full, 'skeleton + shared vocab/merges must reproduce the tokenizer.json'

    d = os.path.join(OUT, 'gpt2-json')
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'tokenizer.skeleton.json'), 'w', encoding='utf-8') as f:
        json.dump(skeleton, f, indent=1, ensure_ascii=False)
        f.write('\n')
    texts = TEXTS + [
        '<|endoftext|>Hello<|endoftext|> world <|endoftext|>',
        'text <|endoftext|>\n<|endoftext|><|endoftext|>end <|endoftext',
    ] + random_texts(1, 60)
    write_fixture('gpt2-json', tok, texts, save_tokenizer=False)


def llama3_style():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior='isolated', invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    train(tok, 1500)
    # Llama-3's vocabulary holds tokens its merges cannot build; ignore_merges emits such
    # a pre-token whole. Add a few (byte-level spelling) so that the option matters.
    j = json.loads(tok.to_str())
    vocab = j['model']['vocab']
    for word in ('Hello', ' world', ' test', ' transformer', 'DON', ' quotes'):
        mapped = ''.join(BYTE_TO_CHAR[b] for b in word.encode('utf-8'))
        if mapped not in vocab:
            vocab[mapped] = len(vocab)
    j['model']['ignore_merges'] = True
    tok = Tokenizer.from_str(json.dumps(j))
    without = json.loads(tok.to_str())
    without['model']['ignore_merges'] = False
    without = Tokenizer.from_str(json.dumps(without))
    assert without.encode('Hello world').ids != tok.encode('Hello world').ids
    specials = ['<|begin_of_text|>', '<|end_of_text|>', '<|reserved_special_token_0|>',
                '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>']
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    bos = tok.token_to_id('<|begin_of_text|>')
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single='<|begin_of_text|> $A', pair='<|begin_of_text|> $A <|begin_of_text|> $B',
                                      special_tokens=[('<|begin_of_text|>', bos)]),
    ])
    texts = TEXTS + [
        '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there!<|eot_id|>',
        'Words the vocabulary has whole: the quick brown fox, researchers, transformer',
        '12345678901 digits in threes; 1 22 333 4444',
        'Hello world, a test transformer: DON\'T drop quotes',
    ] + random_texts(2, 50)
    write_fixture('llama3-style', tok, texts)


def qwen2_style():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior='isolated', invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    train(tok, 1200)
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False)
                            for s in ('<|endoftext|>', '<|im_start|>', '<|im_end|>')])
    # Added tokens with matching options (not in Qwen2; here to exercise them).
    tok.add_special_tokens([AddedToken('<mask>', special=True, lstrip=True, normalized=False)])
    tok.add_special_tokens([AddedToken('[sep]', special=True, rstrip=True, normalized=False)])
    tok.add_tokens([AddedToken('cafe\u0301', special=False, normalized=True)])  # matched as NFC "café"
    tok.add_tokens([AddedToken('xyz', special=False, single_word=True)])
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    texts = TEXTS + [
        '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|><|endoftext|>',
        'a   <mask> b<mask>c <mask>',
        'x[sep]   y [sep]\n\nz[sep]',
        'café and cafe\u0301 and CAFÉ',
        'xyz axyz xyzb (xyz) xyz_1 xyz',
    ] + random_texts(3, 50)
    configs = {'tokenizer_config.json': {
        'bos_token': None, 'eos_token': '<|im_end|>', 'pad_token': '<|endoftext|>', 'unk_token': None,
        'add_bos_token': False, 'tokenizer_class': 'Qwen2Tokenizer'}}
    write_fixture('qwen2-style', tok, texts, nfc=True, configs=configs)


def neox_style():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    train(tok, 1200, special_tokens=['<|endoftext|>', '<|padding|>'])
    # GPT-NeoX's vocabulary has whitespace runs as (non-special, normalized) added tokens.
    tok.add_tokens([AddedToken(' ' * n, special=False, normalized=True) for n in (2, 4, 8)])
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    texts = TEXTS + [
        '<|endoftext|>first document<|endoftext|>second<|padding|><|padding|>',
        'x  y    z        w         v',
    ]
    configs = {'special_tokens_map.json': {
        'bos_token': '<|endoftext|>', 'eos_token': '<|endoftext|>', 'unk_token': '<|endoftext|>'}}
    write_fixture('neox-style', tok, texts, nfc=True, configs=configs)


def smollm_style():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    train(tok, 1000, special_tokens=['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<repo_name>', '<file_sep>'])
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    texts = TEXTS + [
        '<repo_name>patchbay<file_sep>main.cpp\nint main() { return 0; }<|endoftext|>',
        'digits 0123456789 and ٣٤٥ ½',
    ]
    configs = {'special_tokens_map.json': {
        'bos_token': {'content': '<|endoftext|>', 'lstrip': False, 'normalized': False, 'rstrip': False,
                      'single_word': False},
        'eos_token': '<|endoftext|>', 'unk_token': '<|endoftext|>'}}
    write_fixture('smollm-style', tok, texts, configs=configs)


def misc_bytelevel():
    """Split options the real tokenizers above do not use, and add_prefix_space."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split('-', behavior='merged_with_previous'),
        pre_tokenizers.Split(Regex(r'[.,;:!?]'), behavior='merged_with_next'),
        pre_tokenizers.Split(Regex(r'\d'), behavior='contiguous'),
        pre_tokenizers.Split(Regex(r'[()\[\]]'), behavior='removed'),
        pre_tokenizers.Split(Regex(r'[^<>]+'), behavior='isolated', invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    train(tok, 800)
    texts = TEXTS + [
        'kebab-case-name and well-known x-ray-',
        'Wait... what?! Yes; no: maybe, 1.5',
        'digits 123 45 6 and 7a8b9',
        'brackets (removed) [here] ok',
        'a<b>c<<d>>e',
        'Hello',
    ]
    write_fixture('misc-bytelevel', tok, texts)


def wordlevel():
    tok = Tokenizer(models.WordLevel(unk_token='[UNK]'))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    train(tok, 300, special_tokens=['[PAD]', '[UNK]', '[BOS]', '[EOS]'], word_level=True)
    texts = TEXTS + [
        '[BOS] the end. [EOS]',
        'The THE the tHe',
        'ΣΊΣΥΦΟΣ ИСТИНА İ',
    ]
    configs = {'tokenizer_config.json': {'bos_token': '[BOS]', 'eos_token': '[EOS]', 'pad_token': '[PAD]',
                                         'unk_token': '[UNK]'}}
    write_fixture('wordlevel', tok, texts, nfc=True, configs=configs)


def wordlevel_whitespace():
    tok = Tokenizer(models.WordLevel(unk_token='<unk>'))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    train(tok, 250, special_tokens=['<unk>', '<eos>'], word_level=True)
    tok.add_special_tokens([AddedToken('<eos>', special=True)])
    texts = TEXTS + ['The end.<eos>When Mary and John went to the store, John gave a drink to']
    write_fixture('wordlevel-whitespace', tok, texts)


def learn_wordpiece_style_bpe(words, num_merges, prefix='##'):
    """A small deterministic BPE learner (ties broken by the pair's text).

    `tokenizers`' BpeTrainer orders the prefixed alphabet by hash-map iteration, so its
    result changes from run to run; the fixture tests encoding, not training, so the
    vocabulary is learnt here and only the encoding comes from `tokenizers`.
    """
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    split = {w: [w[0]] + [prefix + c for c in w[1:]] for w in counts}
    vocab = sorted({sym for syms in split.values() for sym in syms})
    merges = []
    for _ in range(num_merges):
        pairs = {}
        for w, syms in split.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + counts[w]
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merged = best[0] + best[1][len(prefix):]
        merges.append(best)
        if merged not in vocab:
            vocab.append(merged)
        for w, syms in split.items():
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == best:
                    out.append(merged)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            split[w] = out
    return vocab, merges


def bpe_chars():
    """Character-level BPE (no ByteLevel): unk_token, fuse_unk, continuing_subword_prefix."""
    ws = pre_tokenizers.Whitespace()
    words = [w for line in CORPUS.splitlines() for w, _ in ws.pre_tokenize_str(line)]
    vocab_list, merges = learn_wordpiece_style_bpe(words, 300)
    vocab = {'[UNK]': 0}
    for t in vocab_list:
        vocab[t] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token='[UNK]', fuse_unk=True,
                               continuing_subword_prefix='##'))
    tok.pre_tokenizer = ws
    texts = TEXTS + ['zzz qqq ☃☃ x☃y', 'the researchers']
    write_fixture('bpe-chars', tok, texts)


# ---------------------------------------------------------------------------------------
# SentencePiece-style vocabularies (Llama-2, Mistral-v0.1, Gemma, Phi-3): "▁" for spaces,
# "<0xNN>" byte-fallback tokens, decoders Replace/ByteFallback/Fuse/Strip/Metaspace.

SP = '\u2581'

SP_TEXTS = TEXTS + [
    '<s>Hello world</s>',
    'Hello<s>world</s>again',
    ' <s> spaces around specials </s> ',
    '</s></s><s>',
    'a ▁ literal ▁▁ replacement, and <0x41> spelled out',
    'words outside the vocabulary: zyxwvut qqqq Xylophone Quetzalcoatl',
    '  two leading spaces',
    '\ttab first\n\nnewlines\r\nand a final newline\n',
    'emoji only 🤖🧪🫠 and rare CJK 龘齉 and Hangul 뷁',
    'code:\n\tif (a && b) { return x->y[i]; }\n    x = [1, 2, 3]  # comment\n',
    'The quick brown fox jumps over the lazy dog.',
    '        eight spaces, then text',
    'trailing spaces     ',
    'MiXeD CaSe WoRdS and ALLCAPS',
    'é',
    '😀',
    ' ',
    '  ',
]

SP_RANDOM_PIECES = RANDOM_PIECES + ['<s>', '</s>', '<unk>', '▁', '<0x41>', '  ', '\t', '▁▁', 'ſ', 'ꙮ', '🤖']


def sp_random_texts(seed, count, max_pieces=24):
    rng = random.Random(seed)
    return [''.join(rng.choice(SP_RANDOM_PIECES) for _ in range(rng.randint(1, max_pieces))) for _ in range(count)]


def train_sentencepiece_bpe(num_merges):
    """Pieces and merges learnt the SentencePiece way, deterministically (see
    learn_wordpiece_style_bpe): words start with "▁", and characters outside the 110 most
    frequent ones are left out of the vocabulary (byte fallback covers them: CJK, emoji)."""
    ms = pre_tokenizers.Metaspace(replacement=SP, prepend_scheme='always', split=True)
    words = [w for line in CORPUS.splitlines() for w, _ in ms.pre_tokenize_str(line)]
    freq = {}
    for w in words:
        for c in w:
            freq[c] = freq.get(c, 0) + 1
    alphabet = set(sorted(freq, key=lambda c: (-freq[c], c))[:110])
    parts = []
    for w in words:  # rare characters split words and are dropped
        run = ''
        for c in w:
            if c in alphabet:
                run += c
            elif run:
                parts.append(run)
                run = ''
        if run:
            parts.append(run)
    pieces, merges = learn_wordpiece_style_bpe(parts, num_merges, prefix='')
    # Whitespace runs, as Llama-2 and Gemma have them for code.
    for a, b in ((SP, SP), (SP * 2, SP * 2), (SP * 4, SP * 4)):
        if a + b not in pieces:
            pieces.append(a + b)
            merges.append((a, b))
    return pieces, merges


def sp_vocab(specials, pieces, skip_bytes=()):
    vocab = {}
    for t in list(specials) + ['<0x%02X>' % b for b in range(256) if b not in skip_bytes] + pieces:
        vocab.setdefault(t, len(vocab))
    return vocab


def check_with_transformers(directory, tok, texts, adds_bos):
    """The saved folder through transformers (AutoTokenizer, offline): same ids and text."""
    from transformers import AutoTokenizer
    hf = AutoTokenizer.from_pretrained(directory)
    for text in texts:
        ids = tok.encode(text, add_special_tokens=False).ids
        assert hf.encode(text, add_special_tokens=False) == ids, text
        assert hf.decode(ids) == tok.decode(ids, skip_special_tokens=False), text
    assert (hf.encode('x')[0] == hf.bos_token_id) == adds_bos


def sentencepiece_fixtures():
    from transformers import GemmaTokenizer, LlamaTokenizer
    pieces, merges = train_sentencepiece_bpe(400)
    texts = SP_TEXTS + sp_random_texts(4, 25)

    # Llama-2 / Mistral as transformers 5 builds them: Metaspace (prepend_scheme "first").
    llama = LlamaTokenizer(vocab=sp_vocab(['<unk>', '<s>', '</s>'], pieces), merges=merges)
    # The BOS template real Llama-2 / Gemma tokenizer.json files carry (transformers 5 adds BOS
    # from it, not from add_bos_token).
    llama.backend_tokenizer.post_processor = processors.TemplateProcessing(
        single='<s> $A', pair='<s> $A <s> $B', special_tokens=[('<s>', 1)])
    llama_config = {'tokenizer_class': 'LlamaTokenizer', 'bos_token': '<s>', 'eos_token': '</s>',
                    'unk_token': '<unk>', 'add_bos_token': True, 'clean_up_tokenization_spaces': False}
    write_fixture('llama2-style', llama.backend_tokenizer, texts, configs={'tokenizer_config.json': llama_config},
                  skip_special=True)
    check_with_transformers(os.path.join(OUT, 'llama2-style'), llama.backend_tokenizer, texts, True)

    # The original Llama-2 / Mistral-v0.1 tokenizer.json, and what transformers builds for a
    # Phi-3 GGUF file: Prepend + Replace normalizers, "▁" before every segment.
    legacy = Tokenizer.from_str(llama.backend_tokenizer.to_str())
    legacy.normalizer = normalizers.Sequence([normalizers.Prepend(SP), normalizers.Replace(' ', SP)])
    legacy.pre_tokenizer = None
    write_fixture('llama2-legacy', legacy, texts, skip_special=True)

    # Gemma as transformers 5 builds it: Replace normalizer, no prefix, no Strip.
    gemma = GemmaTokenizer(vocab=sp_vocab(['<pad>', '<eos>', '<bos>', '<unk>', '<mask>', '<start_of_turn>',
                                           '<end_of_turn>'], pieces), merges=merges)
    gemma.backend_tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False)
                                                for t in ('<start_of_turn>', '<end_of_turn>')])
    gemma.backend_tokenizer.post_processor = processors.TemplateProcessing(
        single='<bos> $A', pair='<bos> $A <bos> $B', special_tokens=[('<bos>', 2)])
    gemma_config = {'tokenizer_class': 'GemmaTokenizer', 'bos_token': '<bos>', 'eos_token': '<eos>',
                    'unk_token': '<unk>', 'pad_token': '<pad>', 'mask_token': '<mask>', 'add_bos_token': True}
    gemma_texts = texts + ['<bos><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n',
                           '<eos>  <pad><mask>x']
    write_fixture('gemma-style', gemma.backend_tokenizer, gemma_texts,
                  configs={'tokenizer_config.json': gemma_config}, skip_special=True)
    check_with_transformers(os.path.join(OUT, 'gemma-style'), gemma.backend_tokenizer, gemma_texts, True)

    # Options the real ones do not use: Metaspace split + prepend "always" before Digits,
    # NFC + Replace normalizers, missing byte tokens (4-byte UTF-8 leads: emoji -> <unk>,
    # not fused), ignore_merges with whole words merges cannot build, added tokens with
    # spaces and lstrip, Metaspace + Strip decoders.
    vocab = sp_vocab(['<unk>', '<s>', '</s>'], pieces, skip_bytes=range(0xF0, 0xF5))
    for word in (SP + 'Patchbay', SP + 'zyxwvut', SP + 'ok'):
        vocab.setdefault(word, len(vocab))
    misc = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token='<unk>', fuse_unk=False, byte_fallback=True,
                                ignore_merges=True))
    misc.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace('“', '"'),
                                            normalizers.Replace('”', '"')])
    misc.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=SP, prepend_scheme='always', split=True),
        pre_tokenizers.Digits(individual_digits=True)])
    misc.decoder = decoders.Sequence([decoders.ByteFallback(),
                                      decoders.Metaspace(replacement=SP, prepend_scheme='always', split=True),
                                      decoders.Fuse(), decoders.Strip(content=' ', left=2, right=0)])
    # (no Strip right=N: `tokenizers` panics on an empty token with it)
    misc.add_special_tokens([AddedToken('<s>', special=True), AddedToken('</s>', special=True),
                             AddedToken('<mask>', special=True, lstrip=True, normalized=False)])
    misc.add_tokens([AddedToken('New York', special=False, normalized=True)])
    misc_texts = texts + ['Patchbay zyxwvut ok, Patchbayx', 'in New York  and New  York', 'a <mask> b  <mask>',
                          '“quoted” 12345 x1y22']
    write_fixture('metaspace-misc', misc, misc_texts, nfc=True, skip_special=True)

    sentencepiece_from_pieces(pieces, texts)

    # prepend_scheme "never", no split; the Metaspace decoder then keeps every space.
    never = Tokenizer.from_str(llama.backend_tokenizer.to_str())
    never.pre_tokenizer = pre_tokenizers.Metaspace(replacement=SP, prepend_scheme='never', split=False)
    never.decoder = decoders.Metaspace(replacement=SP, prepend_scheme='never', split=False)
    write_fixture('metaspace-never', never, SP_TEXTS, skip_special=True)


def sentencepiece_from_pieces(pieces, texts):
    """What transformers' GGUF loader builds from a SentencePiece vocabulary given piece by
    piece (tokens, scores, token types; no merges: derived from the scores), for
    Tokenizer::fromSentencePiece. The scores are random (with ties), so the merge order
    comes from them, not from training. Writes sp-pieces/pieces.json (the input) and
    cases.json."""
    from transformers.integrations.gguf.gguf_tokenizer_mapping import convert_gguf_tokenizer
    tokens = ['<unk>', '<s>', '</s>'] + ['<0x%02X>' % b for b in range(256)]
    types = [2, 3, 3] + [6] * 256
    for p in pieces:
        if p not in tokens:
            tokens.append(p)
            types.append(1)
    tokens += ['<|user|>', '<unused0>']
    types += [4, 5]
    rng = random.Random(5)
    scores = [0.0] * 259 + [-float(rng.randrange(60)) for _ in range(len(tokens) - 259)]
    backend, _ = convert_gguf_tokenizer('llama', {'tokenizer_type': 'llama', 'tokens': tokens, 'scores': scores,
                                                  'token_type': types})
    # The derived merge order must matter: these scores must tokenize differently from the
    # training order (llama2-style). (The length/id tie-breaks are tested by hand in C++.)
    trained = Tokenizer.from_file(os.path.join(OUT, 'llama2-style', 'tokenizer.json'))
    differ = sum(trained.encode(t, add_special_tokens=False).ids != backend.encode(t, add_special_tokens=False).ids
                 for t in texts)
    print('sp-pieces: %d of %d texts tokenize differently from llama2-style' % (differ, len(texts)))
    assert differ > 0
    d = os.path.join(OUT, 'sp-pieces')
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'pieces.json'), 'w', encoding='utf-8') as f:
        json.dump({'tokens': tokens, 'scores': scores, 'types': types, 'bos': 1, 'eos': 2}, f, ensure_ascii=False)
        f.write('\n')
    write_fixture('sp-pieces', backend, texts + ['<|user|> hi <unused0>'], save_tokenizer=False, skip_special=True)


def unigram_style():
    """A Unigram model (SentencePiece's unigram LM) with byte fallback and Metaspace. The
    pieces are the SentencePiece-style BPE ones, with seeded random log-probabilities
    rounded to 0.1 (so equal-score segmentations occur; `tokenizers`' UnigramTrainer is
    not deterministic). Byte tokens for 4-byte UTF-8 leads are left out, so emoji become
    fused <unk> runs."""
    pieces, _ = train_sentencepiece_bpe(400)
    rng = random.Random(7)
    vocab = [['<unk>', 0.0], ['<s>', 0.0], ['</s>', 0.0]]
    vocab += [['<0x%02X>' % b, 0.0] for b in range(256) if not 0xF0 <= b <= 0xF4]
    vocab += [[p, -round(rng.uniform(1.0, 12.0), 1)] for p in pieces]
    tok = Tokenizer(models.Unigram([tuple(v) for v in vocab], unk_id=0, byte_fallback=True))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=SP, prepend_scheme='always', split=True)
    tok.decoder = decoders.Sequence([decoders.ByteFallback(),
                                     decoders.Metaspace(replacement=SP, prepend_scheme='always', split=True)])
    tok.add_special_tokens([AddedToken('<s>', special=True), AddedToken('</s>', special=True)])
    texts = SP_TEXTS + sp_random_texts(6, 25) + ['<s>x</s>', 'un<unk>known 🤖🤖 x🤖y']
    write_fixture('unigram-style', tok, texts, nfc=True, skip_special=True)

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--shared', default=os.path.join(ROOT, '..', 'shared', 'data'),
                        help='the shared data folder (with gpt2-tokenizer/)')
    parser.add_argument('--only', choices=['bytelevel', 'sentencepiece'],
                        help='write only the byte-level/word-level or only the SentencePiece-style fixtures')
    args = parser.parse_args()
    print('tokenizers', tokenizers.__version__, file=sys.stderr)
    if args.only != 'sentencepiece':
        gpt2_json(args.shared)
        llama3_style()
        qwen2_style()
        neox_style()
        smollm_style()
        misc_bytelevel()
        wordlevel()
        wordlevel_whitespace()
        bpe_chars()
    if args.only != 'bytelevel':
        sentencepiece_fixtures()
        unigram_style()


if __name__ == '__main__':
    main()
