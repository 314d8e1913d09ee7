package plans

import (
	"bytes"
	"path/filepath"

	yaml "go.yaml.in/yaml/v3"
)

// BaseFiles returns the base plans that the plan at path extends, the
// nearest first, as Load finds them. It stops at a file it cannot read
// or parse, at an extends it cannot follow and at a cycle, and reports
// nothing: Load reports every such problem. `failover validate` uses it to
// check a base plan through the plans that extend it rather than alone,
// where it may lack the fields only a whole plan needs.
func BaseFiles(path string, opts Options) []string {
	read := reader(opts.ReadFile, opts.Limits.orDefaults().FileSize)
	seen := map[string]bool{filepath.Clean(path): true}
	var bases []string
	for {
		data, err := read(path)
		if err != nil || !bytes.Contains(data, []byte("extends")) {
			return bases // no need to parse a file that extends nothing
		}
		root, _ := parseFile(path, data)
		ext := root.get("extends")
		if ext == nil || ext.kind != yaml.ScalarNode || ext.tag != "!!str" || ext.value == "" {
			return bases
		}
		path = resolveRelative(path, ext.value)
		if seen[filepath.Clean(path)] {
			return bases
		}
		seen[filepath.Clean(path)] = true
		bases = append(bases, path)
	}
}
