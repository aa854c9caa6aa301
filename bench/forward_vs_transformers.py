#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Patchbay's forward pass vs Hugging Face transformers on the same GPT-2-small checkpoint.

Measures, on one machine and in one run:
  * load time: Model::load (bench_forward) vs AutoModelForCausalLM.from_pretrained, wall time;
  * forward throughput: batch x tokens token ids, no KV cache, 2 warm-up + R timed reps, median;
  * parity: `patchbay-cli logits --positions last` vs transformers' logits for 12 fixed ids.

Each engine runs in its own fresh process (transformers in a child of this script), and the
order alternates between rounds (ours, hf | hf, ours | ...) so neither engine is systematically
measured on a warmer machine. See bench/README.md.

    python3 bench/forward_vs_transformers.py [--reps 10] [--batch 16] [--tokens 32]
        [--rounds 2] [--device cpu|cuda] [--workdir DIR] [--skip-hf] [--skip-ours]
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARITY_IDS = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13, 198, 50256]
SEED = 1234  # weight init of the synthetic checkpoint


# --- checkpoint -------------------------------------------------------------------------

def make_checkpoint(directory: Path) -> Path:
    """A GPT-2-small-shaped model with random weights (fixed seed), saved as safetensors."""
    directory = directory / "gpt2-small-random"
    if (directory / "config.json").exists() and (directory / "model.safetensors").exists():
        return directory
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(SEED)
    config = GPT2Config(n_layer=12, n_head=12, n_embd=768, vocab_size=50257, n_positions=1024)
    model = GPT2LMHeadModel(config).eval()
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp, safe_serialization=True)
    except TypeError:  # newer transformers: safetensors is the only format, no such keyword
        model.save_pretrained(tmp)
    tmp.rename(directory)
    return directory


# --- transformers side (runs in a child process: --hf-worker) ---------------------------

def hf_worker(args) -> dict:
    t0 = time.perf_counter()
    import torch
    import transformers
    from transformers import AutoModelForCausalLM
    import_seconds = time.perf_counter() - t0
    transformers.utils.logging.disable_progress_bar()

    torch.set_num_threads(os.cpu_count())
    device = torch.device(args.device)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    start = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    model = model.to(device).eval()
    sync()
    load_seconds = time.perf_counter() - start

    # Same recipe as bench_forward.cpp (torch::manual_seed(0); randint(0, vocab, {B, T})).
    torch.manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (args.batch, args.tokens), dtype=torch.int64).to(device)
    times = []
    with torch.no_grad():
        for _ in range(2):  # warm-up
            model(input_ids=ids, use_cache=False)
        sync()
        for _ in range(args.reps):
            start = time.perf_counter()
            model(input_ids=ids, use_cache=False)
            sync()
            times.append(time.perf_counter() - start)
        parity = model(input_ids=torch.tensor([PARITY_IDS], device=device), use_cache=False).logits[0, -1]
    times.sort()
    median = times[len(times) // 2]  # the same (upper) median as bench_forward
    return {
        "engine": "transformers",
        "parameters": sum(p.numel() for p in model.parameters()),
        "device": str(device),
        "dtype": str(next(model.parameters()).dtype).replace("torch.", ""),
        "attn_implementation": getattr(model.config, "_attn_implementation", None),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "blas": "MKL" if torch.backends.mkl.is_available() else "other",
        "batch": args.batch,
        "tokens": args.tokens,
        "import_seconds": import_seconds,
        "load_seconds": load_seconds,
        "forward_seconds_median": median,
        "forward_seconds_min": times[0],
        "forward_seconds_all": times,
        "tokens_per_second": args.batch * args.tokens / median,
        "parity_logits": parity.float().cpu().tolist(),
        "ids_head": ids[0, :8].cpu().tolist(),
    }


def run_hf(args, model_dir: Path) -> dict:
    cmd = [sys.executable, __file__, "--hf-worker", "--model", str(model_dir), "--reps", str(args.reps),
           "--batch", str(args.batch), "--tokens", str(args.tokens), "--device", args.device]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- Patchbay side ----------------------------------------------------------------------

def run_ours(args, model_dir: Path) -> dict:
    cmd = [str(args.bench_binary), "--model", str(model_dir), "--batch", str(args.batch), "--tokens",
           str(args.tokens), "--reps", str(args.reps), "--device", args.device]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ours_parity_logits(args, model_dir: Path) -> list:
    cmd = [str(args.cli_binary), "logits", "--model", str(model_dir), "--ids", ",".join(map(str, PARITY_IDS)),
           "--positions", "last", "--bos", "never", "--device", args.device]
    out = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
    if out.get("ids") != PARITY_IDS:
        raise RuntimeError(f"patchbay-cli ran ids {out.get('ids')}, expected {PARITY_IDS}")
    return out["logits"][0]


def ours_system(args) -> dict:
    try:
        out = subprocess.run([str(args.cli_binary), "info", "--system"], check=True, stdout=subprocess.PIPE,
                             text=True).stdout
        return json.loads(out)
    except (OSError, subprocess.CalledProcessError, json.JSONDecodeError):
        return {}


# --- report -----------------------------------------------------------------------------

def machine_info() -> dict:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"nproc": os.cpu_count(), "cpu": cpu or platform.processor(), "python": platform.python_version()}
    try:
        info["sched_affinity"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            info[var] = os.environ[var]
    try:
        info["loadavg_start"] = os.getloadavg()
    except OSError:
        pass
    return info


def best_of(runs: list, key: str, pick=min):
    values = [r[key] for r in runs]
    return pick(values) if values else None


def summarize(ours_runs, hf_runs, parity, machine, system) -> dict:
    summary = {"machine": machine, "rounds": max(len(ours_runs), len(hf_runs))}
    if system:
        summary["patchbay_runtime"] = system
    for name, runs in (("patchbay", ours_runs), ("transformers", hf_runs)):
        if not runs:
            continue
        last = runs[-1]
        keep = {k: v for k, v in last.items()
                if k not in ("load_seconds", "forward_seconds_median", "forward_seconds_min", "tokens_per_second",
                             "forward_seconds_all", "parity_logits", "import_seconds")}
        keep["load_seconds_per_round"] = [r["load_seconds"] for r in runs]
        keep["forward_median_per_round"] = [r["forward_seconds_median"] for r in runs]
        # Across rounds: the median of the per-round medians (the best round is also kept).
        keep["load_seconds"] = statistics.median(keep["load_seconds_per_round"])
        keep["forward_seconds_median"] = statistics.median(keep["forward_median_per_round"])
        keep["forward_seconds_best_round"] = best_of(runs, "forward_seconds_median")
        keep["tokens_per_second"] = last["batch"] * last["tokens"] / keep["forward_seconds_median"]
        if "import_seconds" in last:
            keep["import_seconds_per_round"] = [r["import_seconds"] for r in runs]
        summary[name] = keep
    if ours_runs and hf_runs:
        p, h = summary["patchbay"], summary["transformers"]
        summary["load_ratio_ours_over_hf"] = p["load_seconds"] / h["load_seconds"]
        summary["speed_ratio_ours_over_hf"] = p["tokens_per_second"] / h["tokens_per_second"]
    if parity is not None:
        summary["parity"] = parity
    try:
        summary["machine"]["loadavg_end"] = os.getloadavg()
    except OSError:
        pass
    return summary


def print_table(s: dict):
    rows = [("", "patchbay", "transformers", "ours/hf")]
    p, h = s.get("patchbay"), s.get("transformers")

    def cell(d, key, fmt):
        return fmt.format(d[key]) if d and d.get(key) is not None else "-"

    def ratio(key):
        if not (p and h):
            return "-"
        return "{:.2f}x".format(p[key] / h[key])

    rows.append(("load time (s)", cell(p, "load_seconds", "{:.3f}"), cell(h, "load_seconds", "{:.3f}"),
                 ratio("load_seconds")))
    rows.append(("forward median (s)", cell(p, "forward_seconds_median", "{:.3f}"),
                 cell(h, "forward_seconds_median", "{:.3f}"), ratio("forward_seconds_median")))
    rows.append(("tokens/s", cell(p, "tokens_per_second", "{:.0f}"), cell(h, "tokens_per_second", "{:.0f}"),
                 ratio("tokens_per_second")))
    rows.append(("threads", cell(p, "threads", "{}"), cell(h, "threads", "{}"), ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
    if "parity" in s:
        print("parity: max |dlogit| = {:.3g} over {} logits, argmax {}".format(
            s["parity"]["max_abs_diff"], s["parity"]["vocab"], "same" if s["parity"]["argmax_equal"] else "DIFFERENT"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=10, help="timed forward passes per engine and round (default 10)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2,
                    help="measure each engine this many times, alternating which goes first (default 2)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--workdir", type=Path, help="where the checkpoint lives (kept); default: a temp dir")
    ap.add_argument("--bench-binary", type=Path, default=REPO / "build/bench/bench_forward")
    ap.add_argument("--cli-binary", type=Path, default=REPO / "build/app/cli/patchbay-cli")
    ap.add_argument("--skip-hf", action="store_true", help="do not measure transformers")
    ap.add_argument("--skip-ours", action="store_true", help="do not run the C++ binaries")
    ap.add_argument("--json-out", type=Path, help="also write the JSON summary to this file")
    ap.add_argument("--hf-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.hf_worker:
        print(json.dumps(hf_worker(args)))
        return 0

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="patchbay-bench-")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(f"checkpoint: {workdir}/gpt2-small-random", file=sys.stderr)
        model_dir = make_checkpoint(workdir)
        if not args.skip_ours:
            for b in (args.bench_binary, args.cli_binary):
                if not b.exists():
                    sys.exit(f"{b} does not exist: cmake --build build --target bench_forward patchbay-cli "
                             "(or pass --skip-ours)")
        machine = machine_info()
        ours_runs, hf_runs = [], []
        for r in range(args.rounds):
            order = ["ours", "hf"] if r % 2 == 0 else ["hf", "ours"]
            for engine in order:
                if engine == "ours" and not args.skip_ours:
                    print(f"round {r + 1}: patchbay ...", file=sys.stderr)
                    ours_runs.append(run_ours(args, model_dir))
                    print("  " + json.dumps(ours_runs[-1]), file=sys.stderr)
                elif engine == "hf" and not args.skip_hf:
                    print(f"round {r + 1}: transformers ...", file=sys.stderr)
                    hf_runs.append(run_hf(args, model_dir))
                    shown = {k: v for k, v in hf_runs[-1].items() if k not in ("parity_logits", "forward_seconds_all")}
                    print("  " + json.dumps(shown), file=sys.stderr)

        parity = None
        if not args.skip_ours and hf_runs:
            ours = ours_parity_logits(args, model_dir)
            theirs = hf_runs[-1]["parity_logits"]
            diffs = [abs(a - b) for a, b in zip(ours, theirs)]
            parity = {
                "ids": PARITY_IDS,
                "positions": "last",
                "vocab": len(ours),
                "max_abs_diff": max(diffs),
                "mean_abs_diff": sum(diffs) / len(diffs),
                "max_abs_logit": max(abs(x) for x in theirs),
                "argmax_equal": max(range(len(ours)), key=ours.__getitem__)
                == max(range(len(theirs)), key=theirs.__getitem__),
            }
            if len(ours) != len(theirs):
                parity["error"] = f"vocab sizes differ: {len(ours)} vs {len(theirs)}"
        system = ours_system(args) if not args.skip_ours else {}
        summary = summarize(ours_runs, hf_runs, parity, machine, system)
        summary["settings"] = {"batch": args.batch, "tokens": args.tokens, "reps": args.reps, "warmup": 2,
                               "device": args.device, "checkpoint": "GPT-2 small shape, random init seed %d" % SEED}
        print_table(summary)
        print(json.dumps(summary, indent=2))
        if args.json_out:
            args.json_out.write_text(json.dumps(summary, indent=2) + "\n")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
