package lab

import (
	"slices"
	"strings"
)

// deleteSecondary is sp_delete_log_shipping_secondary_database: it removes
// the secondary database's log shipping rows; when it was the last
// secondary database of its secondary id, also the log_shipping_secondary
// row and the copy and restore jobs (sp_delete_log_shipping_secondary_primary).
// The database itself is untouched (still RESTORING). Return status 0, or
// 1 with error 32014 when the database is not a secondary.
func (x *stmtCtx) deleteSecondary(args []procArg) error {
	const proc = "sp_delete_log_shipping_secondary_database"
	if err := checkArgs(proc, args, "@secondary_database", "@ignoreremotemonitor"); err != nil {
		x.status = 1
		return err
	}
	v, ok, err := x.argValue(args, "@secondary_database", 0)
	if err != nil {
		return err
	}
	if !ok {
		x.status = 1
		return fail(msgMissingParam(proc, "@secondary_database"))
	}
	db := toText(v)
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	st := in.st
	i := slices.IndexFunc(st.SecondaryDBs, func(d *lsSecondaryDB) bool { return strings.EqualFold(d.SecondaryDatabase, db) })
	if i < 0 {
		x.status = 1
		return fail(msgNotSecondary(db))
	}
	id := st.SecondaryDBs[i].SecondaryID
	st.SecondaryDBs = slices.Delete(st.SecondaryDBs, i, i+1)
	st.Monitor = slices.DeleteFunc(st.Monitor, func(m *lsMonitor) bool {
		return m.SecondaryID == id && strings.EqualFold(m.SecondaryDatabase, db)
	})
	if !slices.ContainsFunc(st.SecondaryDBs, func(d *lsSecondaryDB) bool { return d.SecondaryID == id }) {
		in.deleteSecondaryPrimary(id)
	}
	x.changed()
	if err := in.save(); err != nil {
		x.status = 1
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	x.status = 0
	x.w.Done(-1)
	return nil
}

// deleteSecondaryPrimary drops the copy and restore jobs and the
// log_shipping_secondary row of a secondary id; the caller holds mu.
func (in *instance) deleteSecondaryPrimary(id string) {
	st := in.st
	var jobs []string
	st.Secondaries = slices.DeleteFunc(st.Secondaries, func(s *lsSecondary) bool {
		if s.SecondaryID == id {
			jobs = append(jobs, s.CopyJobID, s.RestoreJobID)
			return true
		}
		return false
	})
	st.Jobs = slices.DeleteFunc(st.Jobs, func(j *agentJob) bool { return slices.Contains(jobs, j.JobID) })
}
