package plans

import (
	"strings"
	"testing"
)

const hashBase = `version: 1
name: hashes
vars: { db: mgc }
secrets: { pw: { env: PW } }
targets:
  sql: { type: sqlserver, server: s1, password: "${secrets.pw}" }
steps:
  - id: first
    action: sql.exec
    target: sql
    description: Count the logs.
    with: { database: "${vars.db}", query: SELECT 1 }
  - id: second
    action: exec.run
    needs: [first]
    with: { program: x.exe, args: [a, b] }
`

func loadHashed(t *testing.T, text string, vars ...string) *Plan {
	t.Helper()
	return mustLoad(t, "plan.yaml", Options{ReadFile: memFiles(map[string]string{"plan.yaml": text}), Vars: vars})
}

func TestHashStability(t *testing.T) {
	base := loadHashed(t, hashBase)
	if len(base.Hash) != 64 || len(base.Steps[0].Hash) != 64 {
		t.Fatalf("hashes must be hex SHA-256: %q %q", base.Hash, base.Steps[0].Hash)
	}
	tests := []struct {
		name        string
		text        string
		vars        []string
		planChanges bool
		changed     map[string]bool // steps whose hash must change
	}{
		{"same content", hashBase, nil, false, nil},
		{"comments, layout and key order", strings.Replace(hashBase,
			"    with: { database: \"${vars.db}\", query: SELECT 1 }",
			"    # the count\n    with:\n      query: SELECT 1\n      database: \"${vars.db}\"", 1), nil, false, nil},
		{"description", strings.Replace(hashBase, "Count the logs.", "Count logs.", 1), nil, false, nil},
		{"param of first step", strings.Replace(hashBase, "SELECT 1", "SELECT 2", 1), nil, true, map[string]bool{"first": true}},
		{"var used by first step", hashBase, []string{"db=other"}, true, map[string]bool{"first": true}},
		{"second step's args", strings.Replace(hashBase, "[a, b]", "[b, a]", 1), nil, true, map[string]bool{"second": true}},
		{"int versus string", strings.Replace(hashBase, "[a, b]", "[1, b]", 1), nil, true, map[string]bool{"second": true}},
		{"target field", strings.Replace(hashBase, "server: s1", "server: s2", 1), nil, true, nil},
		{"secret source", strings.Replace(hashBase, "env: PW", "env: PW2", 1), nil, true, nil},
		{"retry of second", strings.Replace(hashBase, "needs: [first]", "needs: [first]\n    retry: { attempts: 2 }", 1), nil, true, map[string]bool{"second": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadHashed(t, tt.text, tt.vars...)
			if (p.Hash != base.Hash) != tt.planChanges {
				t.Errorf("plan hash changed = %v, want %v", p.Hash != base.Hash, tt.planChanges)
			}
			for i, s := range p.Steps {
				if (s.Hash != base.Steps[i].Hash) != tt.changed[s.ID] {
					t.Errorf("step %s hash changed = %v, want %v", s.ID, s.Hash != base.Steps[i].Hash, tt.changed[s.ID])
				}
			}
		})
	}
}

func TestHashIgnoresSecretValues(t *testing.T) {
	t.Setenv("PW", "first-value")
	a := loadHashed(t, hashBase)
	t.Setenv("PW", "second-value")
	b := loadHashed(t, hashBase)
	if a.Hash != b.Hash {
		t.Error("the plan hash changed with the secret's value")
	}
}
