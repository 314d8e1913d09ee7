// Package lab is the lab's SQL Server simulator: instances that speak TDS
// (through internal/tds) and answer the statements failover's actions send,
// with database states, log shipping metadata in msdb, RESTORE with the
// real LSN rules and error numbers, sessions and KILL, faults, and a
// statement log. It is a simulator: a statement it does not know is
// answered with error 50000 "The failover lab (a SQL Server simulator)
// does not support this statement: …", never with a silent success.
//
// # API
//
//	cfg := lab.DefaultConfig()              // or lab.LoadConfig("lab.yaml")
//	err := lab.Init(dir, cfg)               // state, share and copy dir, certificates (ErrInitialised if done)
//	err := lab.Reset(dir, cfg)              // remove the lab in dir and Init again
//	l, err := lab.Serve(ctx, dir)           // start every instance; returns once they listen
//	l.Addrs()                               // instance name → "127.0.0.1:port"
//	l.Inject(lab.Fault{…})                  // a fault for this process only
//	lab.AddFault(dir, f) / ListFaults / ClearFaults   // run-time faults via DIR/faults.yaml
//	l.Close()
//
// # The lab dir
//
//	DIR/lab.yaml            the config Init was given (Serve reads it)
//	DIR/state/NAME.json     one instance's state, rewritten atomically on each change
//	DIR/faults.yaml         run-time faults, re-read by a running lab when it changes
//	DIR/statements.log      every statement every instance received
//	DIR/tls/                the CA (tls/ca.pem) and the server certificate and key
//	DIR/share, DIR/copy     the backup share and the copy destination, which SQL Server
//	                        names \\DC1-FS01\LSBackup and D:\LSCopy\mgc (the path map)
//	DIR/backup-d            the rest of D:\ (the path map; configurable)
//	DIR/fault-state/ID      what a file-system fault took away, and its state
//
// Statement log lines are tab-separated, written when a statement ends:
// time (RFC 3339, UTC, ns), instance, spid, login, kind, effect, text.
// Kinds: batch (one line per statement of a batch, also one refused or
// not parsed), skipped (a statement an ended batch did not run), rpc (procedure and parameters with values; a parameter
// whose name contains password, secret or pwd is written as ***), dynamic
// (the text of EXEC (…) and sp_executesql inside a batch), fault (a fault
// that fired), login (user, app, host, database of a new session; never
// the password), login-failed, down, up. Effect (statements only; "-"
// otherwise): read, write (it changed the server's state) or write-failed
// (a statement of a kind that writes that changed nothing: refused,
// failed or not parsed); dynamic SQL takes the effect of what it ran.
// Line breaks, tabs and backslashes are escaped; PASSWORD = '…' literals
// are masked.
//
// # Statements
//
// Keywords are case-insensitive; N'…' literals with doubled quotes,
// [bracketed] and "quoted" identifiers, -- and nested /* */ comments; a
// batch holds several statements separated by ';' or by a line break
// before the next statement's keyword. GO is not T-SQL: error 102. A batch
// is parsed whole first: a syntax error or an unsupported statement runs
// nothing. The parser follows only the forms listed here, so where it
// stops (a cursor, a table variable, a hint) the answer is 50000 with
// "(the lab's T-SQL parser stopped near 'x')", not 102; likewise an
// object, column or function the lab lacks gets 50000 "… the object 'x'
// is not simulated (or does not exist)." instead of 208, 207 or 195, since
// the lab cannot tell a typo from a real name it does not know. A failing statement sends its errors and the batch goes on (as
// SQL Server does for statement-level errors).
//
//	SELECT [DISTINCT] [TOP (n)] list [FROM t [AS a] {[LEFT [OUTER]|INNER] JOIN t [AS a] ON cond | , t}]
//	    (no SELECT * or alias.*: the views have only some of SQL Server's columns)
//	       [WHERE cond] [UNION [ALL] SELECT …] [ORDER BY expr|alias|ordinal [ASC|DESC], …]
//	    expressions: literals, NULL, @var, @@SPID @@VERSION @@SERVERNAME @@SERVICENAME
//	    @@TRANCOUNT @@LANGUAGE, + - * / %, = <> != < > <= >=, AND OR NOT, IS [NOT] NULL,
//	    [NOT] IN (…), [NOT] LIKE, CAST(x AS t), CONVERT(t, x), DB_ID([name]), DB_NAME([id]),
//	    ISNULL, COALESCE, UPPER, LOWER, LTRIM, RTRIM, LEN, GETDATE, GETUTCDATE (DATETIME),
//	    SYSDATETIME, SYSUTCDATETIME (DATETIME2; so is a time value DATETIME would round),
//	    SERVERPROPERTY('ProductVersion' | 'ProductLevel' | 'Edition' | 'EngineEdition' |
//	    'ServerName' | 'MachineName' | 'InstanceName' | 'IsClustered' | 'IsHadrEnabled'),
//	    DATABASEPROPERTYEX(db, 'Status' | 'IsInStandBy' | 'Recovery' | 'UserAccess' |
//	    'Updateability') (NULL for a database that does not exist; another property of
//	    either is 50000, never a silent NULL), SUSER_SNAME, APP_NAME,
//	    HOST_NAME; aggregates COUNT(*), COUNT, MIN, MAX, SUM without GROUP BY.
//	    SELECT @v = expr, … assigns from the last row (no result set; 141 when mixed
//	    with retrieval). No sub-queries, CASE, GROUP BY, cursors, IF/WHILE, TRY/CATCH.
//	    OUTPUT parameters: of the log shipping setup procedures (RETURNVALUE by RPC,
//	    the variable in a batch); 8162 for one that is not OUTPUT, 179 after a
//	    constant; sp_executesql's OUTPUT parameters are not supported (50000).
//	  tables (from any database; msdb ones as msdb.dbo.X, msdb..X, or X in msdb;
//	  a three-part name in a missing database gives 911, a restoring one 927):
//	    sys.databases (name, database_id, source_database_id, create_date, compatibility_level,
//	      collation_name, user_access, user_access_desc, is_read_only, state, state_desc,
//	      is_in_standby, recovery_model, recovery_model_desc)
//	    sys.master_files (database_id, file_id 1 ROWS / 2 LOG, type, type_desc, name,
//	      physical_name, state, state_desc, redo_start_lsn NUMERIC(25,0), redo_start_fork_guid,
//	      redo_target_lsn); redo_start_* are set while RESTORING or STANDBY
//	    sys.dm_exec_sessions (session_id, database_id, login_name, host_name, program_name,
//	      status, is_user_process, login_time); system sessions 1–10, clients from 51,
//	      simulated user sessions from 300: lock holders (current database master or
//	      another, a lock on theirs) and sessions inside a database, connected only
//	      while it is ONLINE (STANDBY included) and the moment it comes ONLINE
//	    sys.sysprocesses / master.dbo.sysprocesses (spid, dbid, loginame, hostname,
//	      program_name, status, cmd, blocked)
//	    sys.dm_tran_locks (resource_type DATABASE, resource_database_id, request_mode S,
//	      request_status, request_session_id): one lock per user session on its
//	      current database, and a lock holder's on the database it holds
//	    msdb.dbo.log_shipping_secondary, log_shipping_secondary_databases,
//	      log_shipping_monitor_secondary (columns of domain.md A.1), sysjobs (job_id, name,
//	      enabled, description), restorehistory, backupset, backupmediafamily (domain.md B.2;
//	      backupset and backupmediafamily also list the backups BACKUP took),
//	      log_shipping_primary_databases, log_shipping_primary_secondaries,
//	      log_shipping_monitor_primary (last_backup_* NULL: no backup job runs)
//	    sys.database_mirroring (database_id, mirroring_guid, _state, _state_desc, _role,
//	      _role_desc, _role_sequence, _safety_level, _safety_level_desc, _safety_sequence,
//	      _partner_name, _partner_instance, _witness_name, _witness_state, _witness_state_desc,
//	      _failover_lsn, _connection_timeout, _redo_queue, _redo_queue_type, _end_of_log_lsn,
//	      _replication_lsn): one row per database, NULL but database_id when not mirrored;
//	      a mirror's values for sysadmin only; DISCONNECTED while a lab partner is down
//	SET [option, …] XACT_ABORT [, option …] ON | OFF   (kept per session: with ON an injected error rolls back)
//	SET LOCK_TIMEOUT n   (kept per session: @@LOCK_TIMEOUT; the lab has no lock waits to bound)
//	SET NOCOUNT | ANSI_* | QUOTED_IDENTIFIER | ARITHABORT |
//	    CONCAT_NULL_YIELDS_NULL | TEXTSIZE | DATEFORMAT | DATEFIRST |
//	    DEADLOCK_PRIORITY | TRANSACTION ISOLATION LEVEL … | LANGUAGE us_english |
//	    ROWCOUNT 0 | IMPLICIT_TRANSACTIONS OFF  (accepted; they change no answer; other
//	    values of these three would, so they are not supported)      SET @var = expr
//	DECLARE @v type [= expr] [, …]   (int types, bit, numeric/decimal, float, real, [n][var]char,
//	                                  sysname, uniqueidentifier, datetime, datetime2; no cursor or table)
//	PRINT expr          WAITFOR DELAY 'hh:mm[:ss[.mmm]]'
//	USE db                    911 missing, 927 RESTORING, 942 not ONLINE, 924 SINGLE_USER in use; INFO 5701
//	BEGIN TRAN[SACTION] [name] | COMMIT | ROLLBACK [TRAN|WORK]   (3902/3903 without one)
//	RESTORE HEADERONLY FROM DISK = path|@var [WITH FILE = n, [NO_]CHECKSUM, [NO]UNLOAD]
//	    (a Windows path through the path map, case-insensitively, / or \; outside it
//	    3201 with OS error 3, or 53 for a share; a local path only inside the lab dir;
//	    a relative path from the lab dir, the lab's default backup folder)
//	    BackupStartDate and BackupFinishDate are local times of the servers' time zone
//	RESTORE LOG db|@var FROM DISK = path|@var [WITH FILE = n, NORECOVERY | RECOVERY |
//	    STANDBY = path, RESTART, STATS [= n], CHECKSUM, NO_CHECKSUM, NOUNLOAD, REPLACE, …]
//	RESTORE FILELISTONLY FROM DISK = path|@var [WITH FILE = n, [NO_]CHECKSUM, [NO]UNLOAD]   (262 for a reader)
//	    LogicalName, PhysicalName, Type (D, L), FileGroupName, Size, MaxSize, FileID,
//	    CreateLSN, … (columns of SQL Server 2014)
//	RESTORE DATABASE db|@var FROM DISK = path|@var [WITH FILE = n, REPLACE, RECOVERY |
//	    NORECOVERY | STANDBY = path, MOVE 'logical' TO 'physical', STATS [= n],
//	    RESTRICTED_USER, CHECKSUM, …]: a full backup set over a database or into a new
//	    one; 3135 not a full backup, 3102/3101 sessions, 3104 mirrored, 3154 another
//	    database's backup (no REPLACE), 3159 the tail not backed up (ONLINE, FULL or
//	    BULK_LOGGED, with a log chain; no REPLACE), 1834+3156 (+3119) its files used by
//	    another database, 3234 MOVE of an unknown file, 3176 two files on one name,
//	    3110/262 for a reader; marked interrupted (RESTORING) before it works; ends
//	    ONLINE on a new recovery fork, RESTORING at the set's LastLSN, or in STANDBY
//	BACKUP DATABASE | LOG db|@var TO DISK = path|@var [WITH INIT | NOINIT, FORMAT, SKIP,
//	    COPY_ONLY, CHECKSUM, COMPRESSION | NO_COMPRESSION, STATS [= n], NAME = , DESCRIPTION = ,
//	    NORECOVERY (LOG: a tail-log backup; the database is RESTORING at its end), …]
//	    a set in the lab's backup-file format, LSNs from the database's log; errors, each
//	    followed by 3013: 3021, 911, 262 reader, 3147 tempdb, 927 RESTORING, 954 mirror,
//	    3036 STANDBY, 942 OFFLINE, 3023 another backup running, 4208 LOG in SIMPLE, 4214
//	    LOG without a full backup, 3101 tail with others in it, 3201 path (OS error 3, 5
//	    or 53), 3241 not a backup file (FORMAT overwrites it), 3266 a cut-off file
//	    (NOINIT), 3098 COMPRESSION unlike the media set; 3031 INIT with NOINIT (…), 3032
//	    NORECOVERY on BACKUP DATABASE, before the batch runs; differential, file, URL,
//	    tape and several-device backups are not supported (50000)
//	RESTORE DATABASE db|@var WITH RECOVERY | NORECOVERY | STANDBY = path
//	    two of RECOVERY, NORECOVERY, STANDBY: 3031 "Option 'norecovery' conflicts with
//	    option(s) 'standby'. …" (the first given first), before the batch runs
//	    errors, each followed by 3013 "RESTORE … is terminating abnormally.":
//	    3021 in a transaction, 911 no database, 3102 own session in it, 3101 other
//	    sessions (or another restore) in it, 3201 missing file (OS error 2) or folder
//	    (3) or no access (5), 3203 truncated, 3241 not a backup, 3189 damaged,
//	    4038 no FILE = n, 3117 not RESTORING/STANDBY, 3135 not a log backup,
//	    3154 another database's backup, 4319 another set after an interrupted
//	    restore (no RESTART), 4330 fork mismatch, 4326 already applied, 4305 too
//	    recent (gap), 4312 a log backup that begins a new chain, 3153 recovery of
//	    a recovered database. Success: INFO 4035 "Processed N pages for database
//	    …" (data and log file), 3014 "RESTORE LOG successfully processed N pages
//	    in S seconds (R MB/sec)."; with STATS, 3211 "n percent processed." flushed
//	    while it runs. A RESTORE LOG marks its set as interrupted before it works
//	    (durably) and clears the mark when done: a cancel, a dropped connection
//	    or a killed lab leaves 4319 for any other set.
//	KILL n                    6104 own, 6106 gone, 6107 system; a client's connection
//	                          drops, a simulated session goes (or comes back once)
//	EXEC (string-expr)        dynamic SQL (its own variable scope), e.g. EXEC(N'KILL ' + CAST(@s AS nvarchar(11)))
//	EXEC [@rc =] [master.dbo.|sys.]proc args, and RPC by name:
//	    sp_delete_log_shipping_secondary_database [@secondary_database =] N'db' → 0; removes
//	      the db's secondary_databases and monitor rows and, for the last db of its
//	      secondary id, the log_shipping_secondary row and the copy and restore jobs;
//	      the database stays RESTORING; 32014 and status 1 when it is no secondary;
//	      8145 for a parameter it does not have, 8144 for too many arguments
//	    sp_executesql N'stmt' [, N'@p type, …', @p = v | v …]   (also as the RPC go-mssqldb sends;
//	      values bind by name or in declared order; 8178 for a declared one not supplied,
//	      8145 for one not declared, 8144 for too many)
//	    sp_add_log_shipping_primary_database, sp_add_log_shipping_primary_secondary,
//	    sp_add_log_shipping_secondary_primary, sp_add_log_shipping_secondary_database
//	      (SQL Server's parameters; OUTPUT @backup_job_id, @primary_id, @copy_job_id,
//	      @restore_job_id, @secondary_id): fill msdb's log shipping tables and add
//	      disabled jobs; master and sysadmin only; 201 missing, 32052 empty, 32007,
//	      32009, 32010, 32012, 32013, 32015, 32022, 32023, 32024; @overwrite = 1 replaces
//	    sp_who2, sys.sp_help_log_shipping_monitor
//	ALTER DATABASE db SET SINGLE_USER | RESTRICTED_USER | MULTI_USER
//	    [WITH ROLLBACK IMMEDIATE | ROLLBACK AFTER n [SECONDS] | NO_WAIT]
//	    5052 + 5069 when not ONLINE (e.g. RESTORING); 5061 + 5069 when others use it
//	    without ROLLBACK; with ROLLBACK the others are disconnected (INFO 5060)
//	ALTER DATABASE db SET PARTNER OFF   removes mirroring on both partners (a lab partner
//	    that is up); 1416 + 5069 not mirrored, 5011 + 5069 reader or no database
//	ALTER DATABASE db SET PARTNER = 'TCP://host:port'   (partnerset.go) on a RESTORING
//	    database: a pending mirror of the named principal (DISCONNECTED MIRROR); then
//	    on the ONLINE principal: the session starts on both (SYNCHRONIZED); the host
//	    names a lab instance by server name, alone or with a domain; 1449 address,
//	    1452 itself, 1405 already, 1418 not a lab instance or down, 1448 no copy,
//	    1464 copy not RESTORING, 1410 copy in another session, 1416 copy not waiting
//	    for this principal, 1409 copy mid-restore, 1465 not FULL, 1466 standby, 1467,
//	    1488 SINGLE_USER, 1407 another fork or ahead, 1478 the log backup chain not
//	    kept (each alone); 5011 + 5069 reader or no database; the other mirroring forms
//	    (FAILOVER, SUSPEND, RESUME, SAFETY, TIMEOUT, WITNESS) are not supported (50000)
//
// Logins: SQL logins of the config (18456 otherwise, and for integrated
// authentication); a login database that is not ONLINE gives 4060, then
// 18456 (as SQL Server sends them; both in mssql.Error.All). Failed logins
// are logged as login-failed, with the reason for a database. A login is
// a sysadmin (the default) or a reader (VIEW SERVER STATE, VIEW ANY
// DEFINITION, msdb db_datareader): a reader reads every view and msdb
// table, and gets 3110 (+3013) for RESTORE LOG/DATABASE, 262 (+3013) for
// RESTORE HEADERONLY, 6102 for KILL, 5011 (+5069) for ALTER DATABASE and
// 229 for the log shipping procedures. Those procedures run only in
// master (5001 "User must be in the master database." elsewhere; a
// master.dbo. name runs in master).
//
// Faults (config faults: and DIR/faults.yaml): kind drop closes the
// connection before the Nth matching statement (a RESTORE LOG: after it
// marked its set interrupted); kind drop_after runs the statement to its
// end, then closes the connection before the answer is sent; kind error
// answers with the error's real text (1205, 1222, 3101, 4060, 701, 8645;
// other numbers get a generic text): 1222 ends only the statement, 1205
// rolls the transaction back and ends the batch, others end the batch
// (with SET XACT_ABORT ON every one rolls back); kind delay waits, then
// runs the statement;
// kind down stops Instance (no listener, its connections drop, as when a
// datacenter goes dark) until the fault is cleared, then it listens again
// on the same address. Match is a case-insensitive regular expression over
// the statement text or the RPC procedure name. A running lab re-reads
// DIR/faults.yaml before each statement and every 200ms; the counters of a
// fault (nth, times) live in the running process, so a restart re-arms it.
// The statement log records fired faults and down/up changes.
//
// File-system faults (fsfault.go) act on the lab's folders, for its SQL
// Server and for a plan's file steps: share-gone (moved away; RESTORE
// 3201 OS error 53 or 3), share-hang (FIFOs; RESTORE waits, then OS error
// 121), file-growing (cut, then grown by the running lab; 3203),
// file-locked (a link to itself; OS error 32), file-vanish (inotify on
// Linux, or a delay), disk-full (a size-limited tmpfs in a user namespace,
// Linux) and live-primary (the primary writes the next log backups). AddFault
// applies one under DIR/fault-state.lock and keeps what it took under
// DIR/fault-state/ID; ClearFaults and Reset put it back.
package lab
