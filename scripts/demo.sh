#!/bin/sh
# The tour `make demo` gives: validate, plan, graph, apply, a failure and its
# resume, status, and a second apply that finds the work done — all on the
# bundled drill plan, in a scratch folder that is removed afterwards.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin/failover"
work=$(mktemp -d "${TMPDIR:-/tmp}/failover-demo.XXXXXX")
lab="$root/bin/failover-lab"
trap '"$lab" down --dir "$work/lab" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/share"
echo "log backup 1" > "$work/share/mgc_20261126010000.trn"
plan="$root/examples/demo/drill.yaml"
vars="--var work=$work --var share=$work/share --var copy_dir=$work/copy"
export FAILOVER_STATE_DIR="$work/state"
log="--log-format console"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
note() { printf '\033[2m# %s\033[0m\n' "$*"; }

step failover validate examples/demo/drill.yaml
"$bin" validate "$plan"

step failover plan examples/demo/drill.yaml
"$bin" plan $vars "$plan"

step failover graph examples/demo/drill.yaml --format mermaid
"$bin" graph --format mermaid "$plan"

note "The share lacks one backup file, so the copy fails: later steps do not run."
step failover apply examples/demo/drill.yaml --auto-approve
"$bin" apply $log $vars --auto-approve "$plan" || echo "(exit $? — a step failed)"

step failover status demo-drill
"$bin" status demo-drill

note "The operator brings the missing file back and resumes: finished steps are not run again."
echo "log backup 2" > "$work/share/mgc_20261126011500.trn"
step failover resume examples/demo/drill.yaml --auto-approve
"$bin" resume $log $vars --auto-approve "$plan"

note "A new run of the same plan finds the recovery already done (skip_if) and does not redo it."
step failover apply examples/demo/drill.yaml --auto-approve
"$bin" apply $log $vars --auto-approve "$plan"

note "The lab: simulated SQL Server instances speaking TDS on loopback, a backup share and a copy folder."
step failover-lab up --dir LAB
"$lab" up --dir "$work/lab" 2>/dev/null
set -a; . "$work/lab/lab.env"; set +a
step failover apply examples/lab/readiness.yaml --yes
"$bin" apply $log --yes "$root/examples/lab/readiness.yaml"
step failover-lab down --dir LAB
"$lab" down --dir "$work/lab" 2>/dev/null && echo "lab stopped"

note "Mistakes are caught before anything runs, with file, line and column."
step failover validate scripts/demo-broken.yaml
"$bin" validate "$root/scripts/demo-broken.yaml" || echo "(exit $? — invalid, as expected)"
