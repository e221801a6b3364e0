#!/usr/bin/env bash
# Scripts/bench.sh [SIZE_MB]   (default 1000; MB = 10^6 bytes)
#
# Builds the release binary, generates bench-data/bench.log (Scripts/genlog.py, seed 42) and
# bench-data/bench.log.gz (gzip -6), exports the pattern regexes, times everything in ONE
# hyperfine run (so the ratios are same-run ratios), measures peak RSS of aib-logs with GNU time,
# and prints a Markdown report (also saved to bench-data/results.md).
#
# Method (see the research notes): hyperfine --output=pipe (GNU grep stops at the first match
# when stdout is /dev/null), LC_ALL=C for grep, rg --no-unicode, each exported regex wrapped in
# (?:...) by `aib-logs patterns export`. Page cache is warm (hyperfine --warmup 1).
#
# hyperfine runs with --ignore-failure so that expected non-zero exits do not abort the run:
# aib-logs exits 1 when it finds a failure (the synthetic log has some), rg exits 2 when PCRE2
# gives up on a line. Every exit code is checked afterwards and reported; a crash shows up there.
set -euo pipefail

SIZE_MB="${1:-1000}"
SEED=42
case "$SIZE_MB" in
  ''|*[!0-9]*) echo "usage: $0 [SIZE_MB]   (a whole number of MB)" >&2; exit 64 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA=bench-data
LOG=$DATA/bench.log
GZ=$DATA/bench.log.gz
PAT=$DATA/patterns.txt
BIN=.build/release/aib-logs
mkdir -p "$DATA"

say() { printf '%s\n' "bench: $*" >&2; }

# ------------------------------------------------------------------ tools
missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  say "installing ${missing[*]}"
  $SUDO apt-get install -y "${missing[@]}" >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y "${missing[@]}" >&2; }
fi

# ------------------------------------------------------------------ build
say "swift build -c release --static-swift-stdlib (as make build)"
swift build -c release --static-swift-stdlib >&2
mkdir -p "$DATA"
# What was built (other work may change the tree while the benchmark runs).
{ git rev-parse --short HEAD 2>/dev/null || echo "?"
  git status --porcelain --untracked-files=no 2>/dev/null | wc -l; } > "$DATA/build-info.txt"

# ------------------------------------------------------------------ data
want=$((SIZE_MB * 1000000))
params="size_mb=$SIZE_MB seed=$SEED genlog=$(sha256sum Scripts/genlog.py | cut -c1-16)"
have=0
[ -f "$LOG" ] && have=$(stat -c %s "$LOG")
if [ -f "$LOG" ] && [ -f "$LOG.params" ] && [ "$(cat "$LOG.params")" = "$params" ] \
   && [ $((have > want ? have - want : want - have)) -le $((want / 100 + 100000)) ]; then
  say "$LOG exists ($have bytes, $params): not regenerated"
else
  say "generating $LOG ($SIZE_MB MB, seed $SEED)"
  rm -f "$LOG" "$LOG.params" "$GZ"
  python3 Scripts/genlog.py "$LOG" "$SIZE_MB" --seed "$SEED"
  echo "$params" > "$LOG.params"
fi
if [ ! -f "$GZ" ] || [ "$LOG" -nt "$GZ" ]; then
  say "gzip -6 -k $LOG"
  rm -f "$GZ"
  gzip -6 -k "$LOG"
fi

"$BIN" patterns export > "$PAT"

# ------------------------------------------------------------------ rg: can it take the patterns?
# Rust regex (rg's default engine) has no look-around, and rg 13 rejects (?<name>...) groups;
# rg -P (PCRE2) rejects the same group name used twice in the joined pattern. When the exported
# file does not compile, two comparable rows are timed instead:
#   rg -P --no-unicode  on every pattern, with named groups made non-capturing (same matches);
#   rg    --no-unicode  on the patterns Rust regex can compile (a subset; for reference).
rg_check() { # rg_check FILE [rg flags...] -> exit code of compiling FILE on one line of input
  local f="$1"; shift
  local rc=0
  printf 'x\n' | rg "$@" -c --no-unicode -f "$f" - >/dev/null 2>"$DATA/rg-check.err" || rc=$?
  return $rc
}
RG_NOTE=""
declare -a RG_NAMES RG_CMDS
rc=0; rg_check "$PAT" || rc=$?
if [ "$rc" -le 1 ]; then
  RG_NAMES=("rg -f")
  RG_CMDS=("rg -c --no-unicode -f $PAT $LOG")
else
  RG_NOTE="\`rg -c --no-unicode -f $PAT\` does not run: $(grep -m1 '^error' "$DATA/rg-check.err" || tail -n1 "$DATA/rg-check.err")"
  say "$RG_NOTE"
  sed -E 's/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/(?:/g' "$PAT" > "$DATA/patterns-nonames.txt"
  : > "$DATA/patterns-pcre2.txt"
  : > "$DATA/patterns-rust.txt"
  while IFS= read -r line; do
    printf '%s\n' "$line" > "$DATA/one.txt"
    rc=0; rg_check "$DATA/one.txt" -P || rc=$?
    if [ "$rc" -le 1 ]; then printf '%s\n' "$line" >> "$DATA/patterns-pcre2.txt"; fi
    rc=0; rg_check "$DATA/one.txt" || rc=$?
    if [ "$rc" -le 1 ]; then printf '%s\n' "$line" >> "$DATA/patterns-rust.txt"; fi
  done < "$DATA/patterns-nonames.txt"
  rm -f "$DATA/one.txt"
  RG_NAMES=("rg -P -f" "rg -f (Rust subset)")
  RG_CMDS=("rg -P -c --no-unicode -f $DATA/patterns-pcre2.txt $LOG"
           "rg -c --no-unicode -f $DATA/patterns-rust.txt $LOG")
fi
N_PAT=$(wc -l < "$PAT")
N_PCRE2=$( [ -f "$DATA/patterns-pcre2.txt" ] && wc -l < "$DATA/patterns-pcre2.txt" || echo "$N_PAT")
N_RUST=$( [ -f "$DATA/patterns-rust.txt" ] && wc -l < "$DATA/patterns-rust.txt" || echo "$N_PAT")

# ------------------------------------------------------------------ hyperfine
NAMES=("cat" "wc -l" "grep -c" "zcat")
CMDS=("cat $LOG >/dev/null" "wc -l $LOG" "LC_ALL=C grep -c azure-arm $LOG" "zcat $GZ >/dev/null")
NAMES+=("${RG_NAMES[@]}")
CMDS+=("${RG_CMDS[@]}")
NAMES+=("aib-logs read plain" "aib-logs read gzip" "aib-logs plain" "aib-logs gzip")
CMDS+=("$BIN inspect $LOG >/dev/null" "$BIN inspect $GZ >/dev/null"
       "$BIN analyze --format json $LOG >/dev/null" "$BIN analyze --format json $GZ >/dev/null")

hf_args=()
: > "$DATA/commands.tsv"
for i in "${!NAMES[@]}"; do
  hf_args+=(-n "${NAMES[$i]}" "${CMDS[$i]}")
  printf '%s\t%s\n' "${NAMES[$i]}" "${CMDS[$i]}" >> "$DATA/commands.tsv"
done
say "hyperfine (${#NAMES[@]} commands, warmup 1, 5 runs each)"
hyperfine --output=pipe --warmup 1 --runs 5 --ignore-failure \
  --export-json "$DATA/results.json" "${hf_args[@]}" >&2

# ------------------------------------------------------------------ one checked run of each rg and aib-logs command
: > "$DATA/checks.tsv"
for i in "${!RG_NAMES[@]}"; do
  rc=0
  out=$(sh -c "${RG_CMDS[$i]}" 2>"$DATA/rg-$i.err") || rc=$?
  errs=$(grep -c . "$DATA/rg-$i.err" || true)
  first=$(head -c 300 "$DATA/rg-$i.err" | head -n1)
  printf '%s\t%s\t%s\t%s\t%s\n' "${RG_NAMES[$i]}" "$rc" "$out" "$errs" "$first" >> "$DATA/checks.tsv"
done
for kind in plain gzip; do
  f=$LOG; [ $kind = gzip ] && f=$GZ
  /usr/bin/time -f '%M %e %x' -o "$DATA/rss-$kind.txt" \
    "$BIN" analyze --format json "$f" > "$DATA/analyze-$kind.json" 2> "$DATA/analyze-$kind.err" || true
done

# ------------------------------------------------------------------ report
export SIZE_MB N_PAT N_PCRE2 N_RUST RG_NOTE
python3 - "$DATA" "$LOG" "$GZ" <<'PY' | tee "$DATA/results.md"
import json, os, subprocess, sys, datetime
data, log, gz = sys.argv[1:4]

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"

res = {r["command"]: r for r in json.load(open(os.path.join(data, "results.json")))["results"]}
cmds = [l.rstrip("\n").split("\t", 1) for l in open(os.path.join(data, "commands.tsv"))]
plain = os.path.getsize(log)
gzs = os.path.getsize(gz)
lines = int(sh("wc -l < %s" % log) or 0)

cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip() or "?"
print("## Machine")
print()
print("| | |")
print("|---|---|")
print("| date | %s |" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
print("| nproc | %s |" % sh("nproc"))
print("| CPU | %s |" % cpu)
print("| memory | %s |" % sh("free -g | awk '/^Mem:/{print $2\" GiB\"}'"))
print("| OS | %s |" % sh(". /etc/os-release && echo \"$PRETTY_NAME\""))
print("| swift | %s |" % sh("swift --version 2>&1 | head -n1"))
print("| rg | %s |" % sh("rg --version | head -n1"))
print("| hyperfine | %s |" % sh("hyperfine --version"))
print("| grep / gzip | %s / %s |" % (sh("grep --version | head -n1"), sh("gzip --version | head -n1")))
bi = (open(os.path.join(data, "build-info.txt")).read().split() + ["?", "0"])[:2]
print("| aib-logs | built from git %s%s |" % (bi[0], (" + %s modified tracked file(s)" % bi[1]) if bi[1] not in ("0", "?") else ""))
print()
print("## Input")
print()
print("`%s`: %s bytes, %s lines (`Scripts/genlog.py`, %s MB, seed 42); `%s`: %s bytes (gzip -6)."
      % (log, format(plain, ","), format(lines, ","), os.environ["SIZE_MB"], gz, format(gzs, ",")))
print()
print("## Timings (one hyperfine run: --output=pipe, --warmup 1, --runs 5)")
print()
print("| command | median s | min–max s | MB/s | CPU s (user + sys, mean) | exit codes |")
print("|---|---:|---:|---:|---:|---|")
partial = set()
for l in open(os.path.join(data, "checks.tsv")):
    f = (l.rstrip("\n").split("\t") + [""] * 5)[:5]
    if f[1] not in ("0", "1") and not f[2]:
        partial.add(f[0])
med = {}
for name, cmd in cmds:
    r = res[name]
    med[name] = r["median"]
    size = plain  # MB/s counts uncompressed bytes for the gzip rows too
    codes = sorted(set(r.get("exit_codes", [])))
    mbs = "n/a †" if name in partial else format(round(size / 1e6 / r["median"]), ",")
    cpu = r.get("user", 0.0) + r.get("system", 0.0)
    print("| `%s` | %.3f | %.3f–%.3f | %s | %.3f | %s |" % (cmd, r["median"], r["min"], r["max"], mbs, cpu,
          ",".join(map(str, codes))))
print()
print("MB = 10^6 bytes; the gzip rows count uncompressed bytes. CPU is the time all threads spent, which")
print("moves less than wall time when the shared VM's page-cache copies slow down or speed up.")
if partial:
    print("† rg stopped searching the file at an error (see Checks), so this time covers only part of the file.")
print()

def rss(kind):
    try:
        last = open(os.path.join(data, "rss-%s.txt" % kind)).read().split("\n")
        last = [l for l in last if l.strip() and l[0].isdigit()][-1].split()
        return int(last[0]) / 1024.0, float(last[1]), int(last[2])
    except Exception:
        return None, None, None

rg_rows = [n for n, _ in cmds if n.startswith("rg ")]
rg_main = rg_rows[0]
ratios = [
    ("reading (inspect) plain / `wc -l`", med["aib-logs read plain"] / med["wc -l"], "≤ 1.5", lambda x: x <= 1.5),
    ("reading (inspect) gzip / `zcat`", med["aib-logs read gzip"] / med["zcat"], "≤ 0.6", lambda x: x <= 0.6),
    ("aib-logs plain / `wc -l`", med["aib-logs plain"] / med["wc -l"], "≤ 3", lambda x: x <= 3.0),
    ("aib-logs gzip / `zcat`", med["aib-logs gzip"] / med["zcat"], "≤ 0.6", lambda x: x <= 0.6),
    ("`%s` / aib-logs plain" % rg_main, med[rg_main] / med["aib-logs plain"], "≥ 2", lambda x: x >= 2.0),
]
for extra in rg_rows[1:]:
    ratios.append(("`%s` / aib-logs plain" % extra, med[extra] / med["aib-logs plain"], "(reference)", None))
print("## Ratios (medians of the same run)")
print()
print("| ratio | measured | target | |")
print("|---|---:|---:|---|")
for label, v, tgt, ok in ratios:
    verdict = "" if ok is None else ("met" if ok(v) else "**not met**")
    if any(("`%s`" % p) in label for p in partial):
        verdict += " (rg time is partial, so this is a lower bound)"
    print("| %s | %.2f | %s | %s |" % (label, v, tgt, verdict))
for kind in ("plain", "gzip"):
    m, e, x = rss(kind)
    if m is None:
        print("| peak RSS aib-logs %s | ? | < 64 MiB | not measured |" % kind)
    else:
        print("| peak RSS aib-logs %s | %.1f MiB | < 64 MiB | %s |" % (kind, m, "met" if m < 64 else "**not met**"))
print()
print("## Checks")
print()
for kind in ("plain", "gzip"):
    m, e, x = rss(kind)
    try:
        d = json.load(open(os.path.join(data, "analyze-%s.json" % kind)))["inputs"][0]
        f = d["input"]
        print("- aib-logs %s (GNU time run: %.2f s, exit %s): %s lines, %s bytes, %s candidate lines, %s cut lines; "
              "outcome `%s`, primary `%s`, %d findings; warnings: %s"
              % (kind, e, x, format(f["lines"], ","), format(f["bytes"], ","), format(f["candidateLines"], ","),
                 f["cutLines"], d["outcome"], d["primary"], len(d["findings"]),
                 "; ".join(d["warnings"]) or "none"))
    except Exception as ex:
        err = open(os.path.join(data, "analyze-%s.err" % kind)).read().strip()[:500]
        print("- aib-logs %s: no JSON report (%s); exit %s; stderr: %s" % (kind, ex, x, err or "(empty)"))
for l in open(os.path.join(data, "checks.tsv")):
    name, rc, out, nerr, first = (l.rstrip("\n").split("\t") + [""] * 5)[:5]
    print("- `%s` (checked run): exit %s, %s%s" % (name, rc,
          ("count %s" % out) if out else "no count printed (rg stopped searching the file)",
          (", %s stderr line(s), first: `%s`" % (nerr, first)) if nerr not in ("", "0") else ""))
note = os.environ.get("RG_NOTE", "")
if note:
    print("- %s" % note)
    print("- so `rg -P` runs all %s patterns with named groups made non-capturing, and `rg` (Rust regex) runs the %s of %s patterns it can compile."
          % (os.environ["N_PCRE2"], os.environ["N_RUST"], os.environ["N_PAT"]))
PY
