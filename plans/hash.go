package plans

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"time"
)

// hashPlan sets the hash of every step and of the plan.
//
// A step's hash covers its id, action, target name, with, needs, deps,
// checks (type, target, with, wait, interval), effective retry and
// timeout, continue_on_failure and idempotent. The plan's hash covers its
// version, name, deadline, defaults, secret declarations (where each
// value comes from, never the value), targets with their fields, the
// preflight checks and every step hash in order. Both are taken after
// vars are substituted; run-time references appear as written.
// Descriptions, positions and rto budgets are left out: rewording or
// moving text, or changing the time a report measures a run against,
// does not change what a run does.
func hashPlan(p *Plan) {
	cw := canonWriter{&bytes.Buffer{}}
	cw.str("plan/v1")
	cw.int(int64(p.Version))
	cw.str(p.Name)
	cw.dur(p.Deadline)
	cw.dur(p.Defaults.Timeout)
	cw.retry(p.Defaults.Retry)
	for _, name := range sortedKeys(p.Secrets) {
		s := p.Secrets[name]
		cw.strs("secret", s.Name, s.Env, s.File)
	}
	for _, name := range sortedKeys(p.Targets) {
		t := p.Targets[name]
		cw.strs("target", t.Name, t.Type)
		cw.value(&Value{Kind: KindMap, Map: t.Fields})
	}
	cw.checks("preflight", p.Preflight)
	sw := canonWriter{bytes.NewBuffer(make([]byte, 0, 4096))} // reused for every step
	for _, s := range p.Steps {
		sw.b.Reset()
		s.Hash = stepHash(sw, s)
		cw.strs("step", s.Hash)
	}
	p.Hash = cw.sum()
}

func stepHash(cw canonWriter, s *Step) string {
	cw.strs("step/v1", s.ID, s.Action, s.Target)
	cw.value(s.With)
	for _, n := range s.Needs {
		cw.strs("need", n.ID)
	}
	cw.strs(append([]string{"deps"}, s.Deps...)...)
	cw.checks("when", s.When)
	cw.checks("skip_if", s.SkipIf)
	cw.checks("require", s.Require)
	cw.checks("verify", s.Verify)
	cw.retry(s.Retry)
	cw.dur(s.Timeout)
	cw.bool(s.ContinueOnFailure)
	cw.bool(s.Idempotent)
	return cw.sum()
}

// canonWriter writes values in a self-delimiting form: every string is
// length-prefixed, so no two different contents write the same bytes.
type canonWriter struct{ b *bytes.Buffer }

func (c canonWriter) str(s string) {
	c.b.WriteString(strconv.Itoa(len(s)))
	c.b.WriteByte(':')
	c.b.WriteString(s)
}

// sum is the hex SHA-256 of what was written.
func (c canonWriter) sum() string {
	h := sha256.Sum256(c.b.Bytes())
	return hex.EncodeToString(h[:])
}

func (c canonWriter) strs(ss ...string) {
	c.int(int64(len(ss)))
	for _, s := range ss {
		c.str(s)
	}
}

func (c canonWriter) int(i int64)         { c.str("i" + strconv.FormatInt(i, 10)) }
func (c canonWriter) dur(d time.Duration) { c.int(int64(d)) }
func (c canonWriter) bool(b bool)         { c.str("b" + strconv.FormatBool(b)) }
func (c canonWriter) float(f float64)     { c.str("f" + strconv.FormatFloat(f, 'g', -1, 64)) }
func (c canonWriter) retry(r Retry) {
	c.int(int64(r.Attempts))
	c.dur(r.Delay)
	c.float(r.Backoff)
	c.dur(r.MaxDelay)
	c.str(r.On)
}
func (c canonWriter) tag(t string, n int) { c.str(t); c.int(int64(n)) }
func (c canonWriter) checks(list string, cs []*Check) {
	c.tag(list, len(cs))
	for _, k := range cs {
		c.strs(k.Type, k.Target)
		c.value(k.With)
		c.dur(k.Wait)
		c.dur(k.Interval)
	}
}

// value writes a Value; map keys are sorted so order as written does not
// matter.
func (c canonWriter) value(v *Value) {
	if v == nil {
		c.str("null")
		return
	}
	switch v.Kind {
	case KindNull:
		c.str("null")
	case KindString:
		c.str("s")
		c.str(v.Str)
	case KindInt:
		c.int(v.Int)
	case KindFloat:
		c.float(v.Float)
	case KindBool:
		c.bool(v.Bool)
	case KindList:
		c.tag("list", len(v.List))
		for _, e := range v.List {
			c.value(e)
		}
	case KindMap:
		keys := sortedKeys(v.Map)
		sort.Strings(keys)
		c.tag("map", len(keys))
		for _, k := range keys {
			c.str(k)
			c.value(v.Map[k])
		}
	case KindTemplate:
		c.tag("template", len(v.Parts))
		for _, p := range v.Parts {
			if p.Ref != nil {
				c.str("ref")
				c.str(p.Ref.String())
			} else {
				c.str("lit")
				c.str(p.Lit)
			}
		}
	}
}
