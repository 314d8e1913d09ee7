// Package memlimit is a test helper for the bomb tests: a child process
// (the test binary, re-executed) limits its own address space, as
// ulimit -v does, so that code which builds without bound what hostile
// input asks for dies there instead of taking the machine down. It works
// on Linux only; tests that use it are _linux_test.go files.
package memlimit
