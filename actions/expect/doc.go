// Package expect is the `expect` parameter of the checks that compare
// what they read with what the plan expects: sql.check and ps.check.
// Both parse it with Parse when the plan is loaded and apply it with
// Rule.Check to the values they read (a query's first column, row by
// row; the objects a PowerShell command wrote), so the rules and the
// failure texts are the same everywhere.
//
// The forms of expect:
//
//	expect: FailedOver                 the one value equals FailedOver
//	expect: 3                          the one value is the number 3 (3.0 and "3" too)
//	expect: true                       the one value is true (or the text true/True)
//	expect: [Normal, FailedOver]       the one value equals one of them
//	expect: {equals: FailedOver}       the same as a plain value; {equals: null} wants null,
//	                                   {equals: [a, b]} wants exactly the values a, b in order
//	expect: {one_of: [a, b]}           the same as a plain list
//	expect: {matches: '^dc2-'}         the one value, as text, matches the regular
//	                                   expression (Go syntax; (?i) for any case)
//	expect: {gt: 5} {ge: 5} {lt: 5} {le: 5} {eq: 5} {ne: 5}
//	                                   the one value is a number (or a numeric text) and
//	                                   compares so; exact for big numbers such as LSNs
//	expect: {count: 2}                 exactly 2 values (rows, objects) came back
//	expect: {count: {ge: 1}}           the number of values compares so
//
// A mapping may hold several rules; all must hold ({ge: 1, le: 5}).
// Every rule but count needs exactly one value: none, or several, fail
// the check with the number found. Text compares exactly (case and
// spaces count). A failure reads "expected …, got …".
package expect
