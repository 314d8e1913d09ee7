#!/bin/sh
# make demo: a whole Persistent Chat failover drilled against the lab, and
# its failback. failover-lab plays both datacenters (three simulated SQL
# Server instances speaking TDS, the backup share, the Lync Management
# Shell); the drill checks the example plans, looks at live state without
# changing it (plan --check), fails over, kills failover in the middle of
# applying the log backups and resumes, shows status and the post-incident
# report, checks the lab is failed over, fails back, checks the lab is as
# it was, and stops the lab. Every command is printed as it runs (from the
# repository's root), so it can be copied. It exits 0 only if the lab
# ended failed over after the failover, and back as it was after the
# failback.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d "${TMPDIR:-/tmp}/failover-demo.XXXXXX")
lab=$work/lab
state=$work/state
trap 'bin/failover-lab down --dir "$lab" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# Colours only on a terminal: a log file gets plain text.
if [ -t 1 ]; then bold=$(printf '\033[1m'); dim=$(printf '\033[2m'); off=$(printf '\033[0m'); else bold= dim= off=; fi
# quote prints an argument as a shell would need it typed.
quote() {
	case $1 in
	*[!A-Za-z0-9_./:=@%+,-]* | '') printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
show() {
	line=
	for a in "$@"; do line="$line${line:+ }$(quote "$a")"; done
	printf '\n%s$ %s%s\n' "$bold" "$line" "$off"
}
run() { show "$@"; "$@"; }
note() { printf '\n%s# %s%s\n' "$dim" "$*" "$off"; }

failover_plan=examples/persistent-chat/lab/pchat-failover.yaml
failback_plan=examples/persistent-chat/lab/pchat-failback.yaml
vars=$lab/lab.vars.yaml

note "CI's job: every example plan validates (no connection, no secret)."
run bin/failover validate 'examples/**/*.yaml'

note "The lab: PRIMARY (DC1-SQL01, mgc log-shipped), BACKUP (DC2-SQL01, mgc restoring), BACKUP_MIRROR, the share, the Lync shell."
run bin/failover-lab up --dir "$lab" --log-format console >/dev/null
printf '\n%s$ %s%s\n' "$bold" "set -a; . $lab/lab.env; set +a; export FAILOVER_SQL_PASSWORD=\"\$FAILOVER_LAB_PASSWORD\"" "$off"
set -a
. "$lab/lab.env"
set +a
export FAILOVER_SQL_PASSWORD="$FAILOVER_LAB_PASSWORD"

note "Read live state, change nothing: what each step would do now (the lab's statement log shows only reads)."
run bin/failover --state-dir "$state" plan --check --vars-file "$vars" "$failover_plan"

note "Applying the log backups is slowed down (1 s each) so that failover can be killed in the middle of it."
run bin/failover-lab fault add --dir "$lab" --match 'RESTORE LOG' --kind delay --delay 1s --times -1 --log-format console

note "The failover, approvals given on the command line; failover is killed (SIGKILL) once two log backups are applied."
show bin/failover --state-dir "$state" apply --auto-approve --vars-file "$vars" "$failover_plan"
bin/failover --state-dir "$state" --log-format console apply --auto-approve --vars-file "$vars" "$failover_plan" 2>"$work/apply.log" &
pid=$!
# Wait for the second checkpoint of apply-logs (one is journaled after
# each log backup applied), then kill.
checkpoints() {
	run=$(bin/failover --state-dir "$state" status --format json pchat-failover-lab 2>/dev/null | sed -n 's/^  "run": "\(.*\)",$/\1/p')
	[ -n "$run" ] || { echo 0; return; }
	bin/failover --state-dir "$state" journal dump "$run" 2>/dev/null | grep -c '"Type":"step-checkpoint","Step":"apply-logs"' || true
}
i=0
until [ "$(checkpoints)" -ge 2 ]; do
	i=$((i + 1))
	if [ "$i" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$work/apply.log" >&2
		echo "the failover ended before it could be killed in the middle" >&2
		exit 1
	fi
	sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
sed 's/^/  /' "$work/apply.log"
echo "  (failover killed with SIGKILL while applying log backups)"

note "What the journal says: apply-logs started, no outcome — in doubt."
run bin/failover --state-dir "$state" status pchat-failover-lab

run bin/failover-lab fault clear --dir "$lab" --log-format console

note "Resume: apply-logs is idempotent and checkpointed, so it runs again from the next log backup; done steps never run again."
run bin/failover --state-dir "$state" --log-format console resume --auto-approve --vars-file "$vars" "$failover_plan"

note "Is the lab failed over? mgc ONLINE on the backup instance, the pool FailedOver, the active servers set, the mirror up."
run bin/failover --state-dir "$state" plan --check --vars-file "$vars" examples/persistent-chat/lab/failed-over.yaml

run bin/failover --state-dir "$state" status pchat-failover-lab

note "The post-incident report, from the journal alone (also as one HTML file: --format html)."
run bin/failover --state-dir "$state" report --vars-file "$vars" "$failover_plan"
run bin/failover --state-dir "$state" report --vars-file "$vars" "$failover_plan" --format html --output "$work/report.html"

note "The failback: the primary datacenter is back; mgc returns to DC1-SQL01 and log shipping to DC2 is set up again."
run bin/failover --state-dir "$state" --log-format console apply --auto-approve --vars-file "$vars" "$failback_plan"

note "Is the lab as it was? Primary mgc ONLINE, backup mgc RESTORING and log-shipped, the pool Normal on DC1's servers."
run bin/failover --state-dir "$state" plan --check --vars-file "$vars" examples/persistent-chat/lab/failed-back.yaml

run bin/failover-lab down --dir "$lab" --log-format console
note "Drill complete: failed over, interrupted, resumed, checked, failed back, checked."
