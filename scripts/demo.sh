#!/bin/sh
# The tour `make demo` gives: validate, plan, graph, apply and status of the
# bundled drill plan, in a scratch folder that is removed afterwards.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin/failover"
work=$(mktemp -d "${TMPDIR:-/tmp}/failover-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/share"
for f in mgc_20261126010000.trn mgc_20261126011500.trn; do
	echo "log backup $f" > "$work/share/$f"
done
plan="$root/examples/demo/drill.yaml"
vars="--var work=$work --var share=$work/share --var copy_dir=$work/copy"
export FAILOVER_STATE_DIR="$work/state"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step failover validate examples/demo/drill.yaml
"$bin" validate "$plan"

step failover plan examples/demo/drill.yaml
"$bin" plan $vars "$plan"

step failover graph examples/demo/drill.yaml --format mermaid
"$bin" graph --format mermaid "$plan"

step failover apply examples/demo/drill.yaml --auto-approve
"$bin" apply $vars --auto-approve "$plan"

step failover status demo-drill
"$bin" status demo-drill

step "failover apply examples/demo/drill.yaml --auto-approve   # again: recover is already done"
"$bin" apply $vars --auto-approve "$plan"

step failover validate scripts/demo-broken.yaml   # a plan with mistakes, caught before anything runs
"$bin" validate "$root/scripts/demo-broken.yaml" || echo "(exit $? — invalid, as expected)"
