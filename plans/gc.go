package plans

// CLIGCPercent is the garbage collector's target percentage the failover
// command runs with (unless GOGC is set). Loading a plan allocates many
// small nodes that stay live until the plan is checked; a short-lived
// command trades some memory (tens of MB for a 10,000-step plan) for less
// time in the collector, about a quarter of the load time at the default.
const CLIGCPercent = 400
