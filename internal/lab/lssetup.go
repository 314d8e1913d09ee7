package lab

import (
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// setupProc is a log shipping setup procedure the lab simulates: its
// parameters in order (SQL Server's names), which of them are OUTPUT
// (all uniqueidentifier), and what it does with the values.
type setupProc struct {
	params  []string
	outputs []string
	run     func(x *stmtCtx, a procValues) error
}

// setupProcs are the procedures that set log shipping up again (the
// failback's step 5; domain.md A.1–A.3).
var setupProcs = map[string]setupProc{
	"sp_add_log_shipping_primary_database": {params: []string{"@database", "@backup_directory", "@backup_share",
		"@backup_job_name", "@backup_retention_period", "@monitor_server", "@monitor_server_security_mode",
		"@monitor_server_login", "@monitor_server_password", "@backup_threshold", "@threshold_alert",
		"@threshold_alert_enabled", "@history_retention_period", "@backup_job_id", "@primary_id",
		"@backup_compression", "@overwrite", "@ignoreremotemonitor"},
		outputs: []string{"@backup_job_id", "@primary_id"}, run: (*stmtCtx).addPrimaryDatabase},
	"sp_add_log_shipping_primary_secondary": {params: []string{"@primary_database", "@secondary_server",
		"@secondary_database", "@overwrite"}, run: (*stmtCtx).addPrimarySecondary},
	"sp_add_log_shipping_secondary_primary": {params: []string{"@primary_server", "@primary_database",
		"@backup_source_directory", "@backup_destination_directory", "@copy_job_name", "@restore_job_name",
		"@file_retention_period", "@monitor_server", "@monitor_server_security_mode", "@monitor_server_login",
		"@monitor_server_password", "@copy_job_id", "@restore_job_id", "@secondary_id", "@overwrite",
		"@ignoreremotemonitor"},
		outputs: []string{"@copy_job_id", "@restore_job_id", "@secondary_id"}, run: (*stmtCtx).addSecondaryPrimary},
	"sp_add_log_shipping_secondary_database": {params: []string{"@secondary_database", "@primary_server",
		"@primary_database", "@restore_delay", "@restore_all", "@restore_mode", "@disconnect_users", "@block_size",
		"@buffer_count", "@max_transfer_size", "@restore_threshold", "@threshold_alert", "@threshold_alert_enabled",
		"@history_retention_period", "@overwrite", "@ignoreremotemonitor"}, run: (*stmtCtx).addSecondaryDatabase},
}

// call is the statement that runs the procedure as SQL Server does:
// sysadmin only (229), in master (5001), the arguments it has (8145,
// 8144), OUTPUT only for its OUTPUT parameters (8162); return status 0,
// or 1 with the error.
func (sp setupProc) call(short, qualifier, text string, args []procArg) stmt {
	return stmt{text: text, write: true, mayWrite: true, run: func(x *stmtCtx) error {
		if err := x.checkMasterProc(short, qualifier); err != nil {
			return err
		}
		err := checkArgs(short, args, sp.params...)
		if err == nil {
			err = checkOutputs(args, sp.params, sp.outputs)
		}
		var a procValues
		if err == nil {
			x.out.params = sp.params
			a, err = x.evalProcArgs(short, args, sp.params)
		}
		if err == nil {
			err = sp.run(x, a)
		}
		if err != nil {
			x.status = 1
			return err
		}
		x.status = 0
		x.w.Done(-1)
		return nil
	}}
}

// procValues are a call's argument values by parameter name.
type procValues struct {
	proc string
	v    map[string]any
}

// evalProcArgs evaluates the arguments, binding positional ones to the
// parameters in order.
func (x *stmtCtx) evalProcArgs(proc string, args []procArg, params []string) (procValues, error) {
	a := procValues{proc: proc, v: map[string]any{}}
	for i, arg := range args {
		name := arg.name
		if name == "" {
			name = params[i] // checkArgs made sure there is one
		}
		v, err := (&env{x: x}).eval(arg.e)
		if err != nil {
			return a, err
		}
		a.v[name] = v
	}
	return a, nil
}

// text is a sysname or nvarchar argument. A required one must be given
// (201) and be neither NULL nor empty (32052).
func (a procValues) text(name string, required bool) (string, error) {
	v, ok := a.v[name]
	switch {
	case !ok && required:
		return "", fail(msgMissingParam(a.proc, name))
	case v == nil && required, required && strings.TrimSpace(toText(v)) == "":
		return "", fail(msgLSEmptyParam(name))
	case v == nil:
		return "", nil
	}
	return toText(v), nil
}

// num is an int argument; def when it is not given or NULL. A required
// one must be given (201).
func (a procValues) num(name string, def int64, required bool) (int64, error) {
	v, ok := a.v[name]
	if !ok && required {
		return 0, fail(msgMissingParam(a.proc, name))
	}
	if v == nil {
		return def, nil
	}
	n, err := castTo(v, "int")
	if err != nil {
		return 0, err
	}
	return n.(int64), nil
}

// bit is a bit argument; def when it is not given or NULL.
func (a procValues) bit(name string, def bool) (bool, error) {
	d := int64(0)
	if def {
		d = 1
	}
	n, err := a.num(name, d, false)
	return n != 0, err
}

// outputGUID sets a uniqueidentifier OUTPUT parameter.
func (x *stmtCtx) outputGUID(name, id string) {
	x.setOutput(name, tds.Column{Name: name, Type: tds.TypeUniqueIdentifier}, guid(strings.ToUpper(id)))
}

// jobNameFree reports whether an Agent job name is free for a log
// shipping job: no job has it, or only one of the jobs being replaced
// (own); the caller holds mu.
func (in *instance) jobNameFree(name string, own ...string) bool {
	for _, j := range in.st.Jobs {
		if strings.EqualFold(j.Name, name) {
			for _, id := range own {
				if strings.EqualFold(j.JobID, id) {
					return true
				}
			}
			return false
		}
	}
	return true
}

// putJob adds an Agent job, or renames the job with that id; the jobs
// log shipping creates are disabled until the wizard enables them.
func (in *instance) putJob(id, name, desc string) {
	for _, j := range in.st.Jobs {
		if strings.EqualFold(j.JobID, id) {
			j.Name, j.Description = name, desc
			return
		}
	}
	in.st.Jobs = append(in.st.Jobs, &agentJob{JobID: id, Name: name, Enabled: false, Description: desc})
}
