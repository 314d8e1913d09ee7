// Package report builds the post-incident record of a run — who ran it,
// where and when, every step and attempt, approvals and the operator's
// decisions, the commands sent, outputs, the log backups applied, the
// data-loss window and the time against the plan's rto — and renders it
// as Markdown or as one self-contained HTML file with a timeline chart.
//
// A report is built from engine.Fold's RunState alone: this package
// never reads journal records itself. The plan, when it can still be
// loaded with the hash the run ran with, adds descriptions, the rto
// budgets and the commands its preview shows.
package report
