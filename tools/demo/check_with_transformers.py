#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Loads the shipped demo model with Hugging Face transformers (no Patchbay code) and
prints its induction accuracy on the shipped induction.csv and its IOI accuracy on
ioi.csv: the demo is an ordinary GPT-2 checkpoint with an ordinary tokenizer.

    python3 tools/demo/check_with_transformers.py [resources/demo]
"""
import csv
import sys

import torch
import transformers


def accuracy(model, tokenizer, rows):
    correct = 0
    for row in rows:
        ids = tokenizer(row["clean"], return_tensors="pt").input_ids  # <bos> prepended
        answer = tokenizer(row["answer"], add_special_tokens=False).input_ids
        assert len(answer) == 1, row["answer"]
        with torch.no_grad():
            logits = model(ids).logits[0, -1]
        correct += int(logits.argmax().item() == answer[0])
    return correct / len(rows)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "resources/demo"
    model = transformers.GPT2LMHeadModel.from_pretrained(folder).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    for task in ("induction", "ioi"):
        with open(f"{folder}/{task}.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        print(f"{task}: top-1 accuracy {accuracy(model, tokenizer, rows):.3f} on {len(rows)} pairs")


if __name__ == "__main__":
    main()
