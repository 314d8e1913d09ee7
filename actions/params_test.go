package actions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type testParams struct {
	Program string            `param:"program,required" doc:"Program."`
	Args    []string          `param:"args"`
	Env     map[string]string `param:"env,secret"`
	Mode    string            `param:"mode,enum=fast|safe" default:"safe"`
	Timeout time.Duration     `param:"timeout" default:"30s"`
	Count   int               `param:"count"`
	Ratio   float64           `param:"ratio"`
	Force   bool              `param:"force"`
	Extra   map[string]any    `param:"extra"`
	Items   []any             `param:"items"`
	Any     any               `param:"any"`
	ignored string
}

func TestSpecs(t *testing.T) {
	specs, err := Specs(testParams{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range specs {
		got = append(got, fmt.Sprintf("%s:%s:%v:%v:%q:%v", s.Name, s.Kind, s.Required, s.Secret, s.Default, s.Enum))
	}
	want := []string{
		`program:string:true:false:"":[]`,
		`args:list of string:false:false:"":[]`,
		`env:map of string:false:true:"":[]`,
		`mode:string:false:false:"safe":[fast safe]`,
		`timeout:duration:false:false:"30s":[]`,
		`count:int:false:false:"":[]`,
		`ratio:number:false:false:"":[]`,
		`force:bool:false:false:"":[]`,
		`extra:map:false:false:"":[]`,
		`items:list:false:false:"":[]`,
		`any:any:false:false:"":[]`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("specs:\n got %q\nwant %q", got, want)
	}
}

func TestSpecsRejectBadStructs(t *testing.T) {
	tests := []struct {
		name   string
		params any
		want   string
	}{
		{"not a struct", 3, "must be a struct"},
		{"unsupported type", struct {
			C chan int `param:"c"`
		}{}, "unsupported param type"},
		{"unknown option", struct {
			S string `param:"s,sometimes"`
		}{}, `unknown param tag option "sometimes"`},
		{"duplicate name", struct {
			A string `param:"x"`
			B string `param:"x"`
		}{}, `param "x" declared twice`},
		{"no name", struct {
			A string `param:",required"`
		}{}, "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Specs(tt.params)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	got, err := Decode(testParams{}, map[string]any{
		"program": "cp", "args": []any{"-n", int64(1), true}, "env": map[string]any{"A": "b", "N": int64(2)},
		"count": int64(3), "ratio": int64(2), "force": true, "extra": map[string]any{"k": "v"},
		"items": []any{"x"}, "any": []any{int64(1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := got.(*testParams)
	want := &testParams{Program: "cp", Args: []string{"-n", "1", "true"}, Env: map[string]string{"A": "b", "N": "2"},
		Mode: "safe", Timeout: 30 * time.Second, Count: 3, Ratio: 2, Force: true,
		Extra: map[string]any{"k": "v"}, Items: []any{"x"}, Any: []any{int64(1)}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("decoded\n got %+v\nwant %+v", p, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		want   string
	}{
		{"missing required", map[string]any{}, `missing required parameter "program"`},
		{"unknown key", map[string]any{"program": "x", "dst": "y"}, `unknown parameter "dst"`},
		{"bad enum", map[string]any{"program": "x", "mode": "slow"}, `"slow" is not one of fast, safe`},
		{"bad duration", map[string]any{"program": "x", "timeout": "soon"}, `"soon" is not a duration`},
		{"negative duration", map[string]any{"program": "x", "timeout": "-1s"}, `is not a duration`},
		{"duration as number", map[string]any{"program": "x", "timeout": int64(5)}, `want a duration`},
		{"int from fraction", map[string]any{"program": "x", "count": 1.5}, `want an integer, got number 1.5`},
		{"bool from string", map[string]any{"program": "x", "force": "yes"}, `want true or false, got string "yes"`},
		{"list item not scalar", map[string]any{"program": "x", "args": []any{[]any{}}}, `item 1: want a string, got a list`},
		{"string from list", map[string]any{"program": []any{"x"}}, `want a string, got a list`},
		{"map of string from list", map[string]any{"program": "x", "env": []any{}}, `want a mapping of strings`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(testParams{}, tt.values)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecodeNoParams(t *testing.T) {
	if p, err := Decode(nil, nil); p != nil || err != nil {
		t.Errorf("Decode(nil, nil) = %v, %v", p, err)
	}
	if _, err := Decode(nil, map[string]any{"x": 1}); err == nil {
		t.Error("a type without params accepted a param")
	}
}

func TestClassOf(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"plain", base, Unknown},
		{"permanent", MarkPermanent(base), Permanent},
		{"retryable", MarkRetryable(base), Retryable},
		{"wrapped permanent", fmt.Errorf("step: %w", MarkPermanent(base)), Permanent},
		{"outermost mark wins", MarkPermanent(MarkRetryable(base)), Permanent},
		{"attempt timeout", fmt.Errorf("run: %w", context.DeadlineExceeded), Retryable},
		{"cancelled", context.Canceled, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassOf(tt.err); got != tt.want {
				t.Errorf("ClassOf = %s, want %s", got, tt.want)
			}
		})
	}
	if MarkPermanent(nil) != nil || MarkRetryable(nil) != nil {
		t.Error("marking nil must stay nil")
	}
	if !errors.Is(MarkPermanent(base), base) {
		t.Error("a marked error must unwrap to its cause")
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	r.Register(Define[testParams](Type{Name: "b.act", Kind: KindAction}, fakeRunner[testParams]{}))
	r.Register(Define[None](Type{Name: "a.chk", Kind: KindCheck}, fakeChecker{}))
	r.RegisterTarget(&TargetType{Name: "host", Params: struct {
		Address string `param:"address,required"`
	}{}})
	if got := r.Names(""); !reflect.DeepEqual(got, []string{"a.chk", "b.act"}) {
		t.Errorf("Names = %v", got)
	}
	if got := r.Names(KindCheck); !reflect.DeepEqual(got, []string{"a.chk"}) {
		t.Errorf("Names(check) = %v", got)
	}
	if len(r.ParamSpecs("b.act")) != 11 || r.ParamSpecs("a.chk") != nil || len(r.TargetSpecs("host")) != 1 {
		t.Error("specs not kept per type")
	}
	for name, fn := range map[string]func(){
		"duplicate": func() {
			r.Register(Define[testParams](Type{Name: "b.act", Kind: KindAction}, fakeRunner[testParams]{}))
		},
		"no run":        func() { r.Register(&Type{Name: "c", Kind: KindAction}) },
		"no check":      func() { r.Register(&Type{Name: "d", Kind: KindCheck}) },
		"define no run": func() { Define[None](Type{Name: "c2", Kind: KindAction}, fakeChecker{}) },
		"bad kind":      func() { r.Register(Define[None](Type{Name: "e", Kind: "other"}, fakeRunner[None]{})) },
		"bad params":    func() { r.Register(Define[int](Type{Name: "f", Kind: KindAction}, fakeRunner[int]{})) },
		"dup target":    func() { r.RegisterTarget(&TargetType{Name: "host"}) },
		"bad target ps": func() { r.RegisterTarget(&TargetType{Name: "t2", Params: "x"}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		})
	}
}

// fakeRunner and fakeChecker are the smallest implementations of an
// action and a check.
type fakeRunner[P any] struct{}

func (fakeRunner[P]) Run(context.Context, *Env, *P) (map[string]any, error) { return nil, nil }

type fakeChecker struct{}

func (fakeChecker) Check(context.Context, *Env, *None) (Result, error) { return Pass(""), nil }
