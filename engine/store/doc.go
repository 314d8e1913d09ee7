// Package store keeps the state of runs: each run's journal and each
// plan's lock. The engine and every command that reads or writes state
// reach them only through a Backend, so that where they live is chosen
// once, by the --state setting:
//
//   - Local (the default, nothing to set up): a directory on this host.
//     Journals are the files engine/journal writes, locks the files
//     engine/lock writes, byte for byte as before backends existed.
//   - etcd (engine/store/etcdstore): a replicated cluster that every
//     admin host reaches, so that when the host running a plan dies,
//     another one sees its journal and resumes the run. The lock is a
//     lease its holder keeps alive; every append is fenced by it.
//
// A journal is named by the string its journal.RunInfo.Path holds: a
// file's path for Local, a key prefix for etcd. Names appear in messages
// and go back to the same backend; only the backend reads meaning into
// them. The records themselves are the same bytes in every backend
// (engine/journal's frames), and engine.Fold is still their one reader.
package store
