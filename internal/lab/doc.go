// Package lab is the lab's SQL Server simulator: instances that speak TDS
// (through internal/tds) and answer the statements failover's actions send,
// with database states, log shipping metadata in msdb, RESTORE with the
// real LSN rules and error numbers, sessions and KILL, faults, and a
// statement log. It is a simulator: a statement it does not know is
// answered with error 50000 "The failover lab does not support …", never
// with a silent success.
//
// The API the failover-lab command uses:
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
// The lab dir:
//
//	DIR/lab.yaml            the config Init was given (Serve reads it)
//	DIR/state/NAME.json     one instance's state, rewritten atomically on each change
//	DIR/faults.yaml         run-time faults, re-read by a running lab when it changes
//	DIR/statements.log      every statement every instance received
//	DIR/tls/                the CA (tls/ca.pem) and the server certificate and key
//	DIR/share, DIR/copy     the backup share and the copy destination (configurable)
//
// Statement log lines are tab-separated: time (RFC 3339, UTC, ns),
// instance, spid, kind (batch, rpc, fault), text. RPC lines carry the
// procedure and its parameters with values; a parameter whose name
// contains "password" or "secret" is written as ***.
//
// The statements the instances answer are listed in statements.go.
package lab
