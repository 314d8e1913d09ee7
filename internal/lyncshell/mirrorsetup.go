package lyncshell

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// mirrorSetup is what one Install-CsMirrorDatabase does for one
// database: the store whose database becomes the principal, the share
// the backups go through, and a session with each SQL server.
type mirrorSetup struct {
	cmd, db string
	store   *Store
	share   string
	// drop: -DropExistingDatabasesOnMirror.
	drop              bool
	principal, mirror *sqlConn
}

// run sets the session up. A session of the database with the
// topology's mirror (mirrorServer, its server name) is left alone and
// note says so; a session with any other partner is an error.
func (s mirrorSetup) run(ctx context.Context, mirrorServer string) (note string, err error) {
	ses, err := s.principal.mirroring(ctx, s.db)
	switch {
	case err != nil:
		return "", err
	case strings.EqualFold(ses.role, "PRINCIPAL") && strings.EqualFold(ses.partner, mirrorServer):
		return fmt.Sprintf("Database %s on %s is already mirrored to %s (%s): nothing was changed.",
			s.db, s.principal.server, s.mirror.server, strings.ToLower(ses.state)), nil
	case ses.role != "":
		return "", cmdletError(s.cmd, "DatabaseAlreadyMirrored", "InvalidOperation", s.db, "System.InvalidOperationException",
			"Database %s on %s is already in a mirroring session (%s, partner %s), not with the mirror the topology defines (%s). "+
				"Remove that mirroring first (ALTER DATABASE %s SET PARTNER OFF).", s.db, s.principal.server, ses.role, ses.partner, s.mirror.server, s.db)
	}
	if err := s.clearMirror(ctx); err != nil {
		return "", err
	}
	dev := sharePath(s.share, fmt.Sprintf("%s_mirror_%s.bak", s.db, time.Now().UTC().Format("20060102150405")))
	replace := ""
	if s.drop {
		replace = ", REPLACE"
	}
	steps := []struct {
		c *sqlConn
		q string
	}{
		{s.principal, "BACKUP DATABASE [" + s.db + "] TO DISK = @dev WITH INIT"},
		{s.principal, "BACKUP LOG [" + s.db + "] TO DISK = @dev"},
		{s.mirror, "RESTORE DATABASE [" + s.db + "] FROM DISK = @dev WITH FILE = 1, NORECOVERY" + replace},
		{s.mirror, "RESTORE LOG [" + s.db + "] FROM DISK = @dev WITH FILE = 2, NORECOVERY"},
		{s.mirror, "ALTER DATABASE [" + s.db + "] SET PARTNER = " + address(s.store.Fqdn)},
		{s.principal, "ALTER DATABASE [" + s.db + "] SET PARTNER = " + address(s.store.MirrorFqdn)},
	}
	for _, st := range steps {
		var args []any
		if strings.Contains(st.q, "@dev") {
			args = append(args, sql.Named("dev", dev))
		}
		if err := st.c.exec(ctx, st.q, args...); err != nil {
			return "", err
		}
	}
	return "", nil
}

// clearMirror checks the mirror server for a database of the name: an
// error without -DropExistingDatabasesOnMirror; with it, any mirroring
// of that database is removed so that the restore can overwrite it.
func (s mirrorSetup) clearMirror(ctx context.Context) error {
	state, _, exists, err := s.mirror.databaseState(ctx, s.db)
	switch {
	case err != nil:
		return err
	case !exists:
		return nil
	case !s.drop:
		return cmdletError(s.cmd, "DatabaseExistsOnMirror", "ResourceExists", s.db, "System.InvalidOperationException",
			"Database %s already exists on the mirror %s (%s). Use -DropExistingDatabasesOnMirror to replace it.", s.db, s.mirror.server, state)
	}
	q := "ALTER DATABASE [" + s.db + "] SET PARTNER OFF"
	if _, err := s.mirror.db.ExecContext(ctx, q); err != nil && sqlNumber(err) != 1416 {
		return s.mirror.failed(q, err)
	}
	return nil
}

// summary is -Report's sentence.
func (s mirrorSetup) summary(note string) string {
	if note != "" {
		return note
	}
	return fmt.Sprintf("The mirror of %s on %s is set up on %s.", s.db, s.principal.server, s.mirror.server)
}

// address is SET PARTNER's server network address of a server.
func address(fqdn string) string {
	return "N'TCP://" + strings.ReplaceAll(fqdn, "'", "''") + fmt.Sprintf(":%d'", mirrorPort)
}

// sharePath is a file on the share, joined the way the share is
// written (a UNC or drive path with \, a local folder with /).
func sharePath(share, name string) string {
	if strings.Contains(share, `\`) {
		return strings.TrimRight(share, `\`) + `\` + name
	}
	return strings.TrimRight(share, "/") + "/" + name
}
