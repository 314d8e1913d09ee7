package actions

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"
)

// ParamKind is the plan-level type of a parameter.
type ParamKind string

// The parameter kinds. A duration is written as a Go duration string
// ("90s", "10m", "1h30m") in a plan.
const (
	ParamString      ParamKind = "string"
	ParamInt         ParamKind = "int"
	ParamFloat       ParamKind = "number"
	ParamBool        ParamKind = "bool"
	ParamDuration    ParamKind = "duration"
	ParamStringList  ParamKind = "list of string"
	ParamStringMap   ParamKind = "map of string"
	ParamAny         ParamKind = "any"
	ParamAnyMap      ParamKind = "map"
	ParamAnyList     ParamKind = "list"
	durationTypeName           = "time.Duration"
)

// ParamSpec describes one parameter (or one target field), derived from
// the params struct's tags:
//
//	Program string        `param:"program,required" doc:"Program to run."`
//	Mode    string        `param:"mode,enum=fast|safe" default:"safe" doc:"…"`
//	Password string       `param:"password,secret" doc:"…"`
//	Timeout time.Duration `param:"timeout" default:"30s" doc:"…"`
type ParamSpec struct {
	Name     string
	Kind     ParamKind
	Doc      string
	Required bool
	// Secret marks a field that may hold ${secrets.X} without a warning.
	Secret bool
	// Default is the tag's default as written ("" for none).
	Default string
	// Enum lists the allowed values of a string param (nil: any).
	Enum  []string
	field int
}

// specCache holds the specs of every params type seen: Decode runs for
// every step of every plan loaded, and reflection is not free.
var specCache sync.Map // reflect.Type -> []ParamSpec

// Specs derives the ParamSpecs of a params struct value. A nil params
// value means the type takes no parameters. The result is shared: callers
// must not modify it.
func Specs(params any) ([]ParamSpec, error) {
	if params == nil {
		return nil, nil
	}
	t := reflect.TypeOf(params)
	if cached, ok := specCache.Load(t); ok {
		return cached.([]ParamSpec), nil
	}
	specs, err := specsOf(t)
	if err != nil {
		return nil, err
	}
	specCache.Store(t, specs)
	return specs, nil
}

func specsOf(t reflect.Type) ([]ParamSpec, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("params must be a struct value, got %s", t)
	}
	var specs []ParamSpec
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("param")
		if !ok || !f.IsExported() {
			continue
		}
		s, err := specOf(f, tag)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("param %q declared twice", s.Name)
		}
		seen[s.Name] = true
		s.field = i
		specs = append(specs, s)
	}
	return specs, nil
}

func specOf(f reflect.StructField, tag string) (ParamSpec, error) {
	parts := strings.Split(tag, ",")
	s := ParamSpec{Name: parts[0], Doc: f.Tag.Get("doc"), Default: f.Tag.Get("default")}
	if s.Name == "" {
		return s, fmt.Errorf("param tag has no name")
	}
	for _, opt := range parts[1:] {
		switch {
		case opt == "required":
			s.Required = true
		case opt == "secret":
			s.Secret = true
		case strings.HasPrefix(opt, "enum="):
			s.Enum = strings.Split(strings.TrimPrefix(opt, "enum="), "|")
		default:
			return s, fmt.Errorf("unknown param tag option %q", opt)
		}
	}
	kind, err := kindOf(f.Type)
	if err != nil {
		return s, err
	}
	s.Kind = kind
	return s, nil
}

func kindOf(t reflect.Type) (ParamKind, error) {
	if t.String() == durationTypeName {
		return ParamDuration, nil
	}
	switch t.Kind() {
	case reflect.String:
		return ParamString, nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		return ParamInt, nil
	case reflect.Float64:
		return ParamFloat, nil
	case reflect.Bool:
		return ParamBool, nil
	case reflect.Interface:
		return ParamAny, nil
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.String:
			return ParamStringList, nil
		case reflect.Interface:
			return ParamAnyList, nil
		}
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			switch t.Elem().Kind() {
			case reflect.String:
				return ParamStringMap, nil
			case reflect.Interface:
				return ParamAnyMap, nil
			}
		}
	}
	return "", fmt.Errorf("unsupported param type %s", t)
}

// CheckValue reports whether a plain value (string, int64, int, float64,
// bool, []any, map[string]any, nil) fits a ParamSpec, and why not.
func (s ParamSpec) CheckValue(v any) error {
	_, err := convert(s, v)
	return err
}

// Decode builds a fresh params struct for a type from plain values and
// returns a pointer to it. Missing params take their defaults; unknown
// keys, wrong types and missing required params are errors.
func Decode(params any, values map[string]any) (any, error) {
	if params == nil {
		if len(values) > 0 {
			return nil, fmt.Errorf("takes no parameters")
		}
		return nil, nil
	}
	specs, err := Specs(params)
	if err != nil {
		return nil, err
	}
	ptr := reflect.New(reflect.TypeOf(params))
	known := map[string]bool{}
	for _, s := range specs {
		known[s.Name] = true
		v, present := values[s.Name]
		if !present || v == nil {
			if s.Required {
				return nil, fmt.Errorf("missing required parameter %q", s.Name)
			}
			if s.Default == "" {
				continue
			}
			v = s.Default
		}
		rv, err := convert(s, v)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", s.Name, err)
		}
		ptr.Elem().Field(s.field).Set(rv.Convert(ptr.Elem().Field(s.field).Type()))
	}
	var unknown []string
	for k := range values {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown parameter %q", unknown[0])
	}
	return ptr.Interface(), nil
}

// convert turns a plain value into the reflect.Value of the spec's kind.
func convert(s ParamSpec, v any) (reflect.Value, error) {
	switch s.Kind {
	case ParamString:
		str, ok := scalarString(v)
		if !ok {
			return reflect.Value{}, fmt.Errorf("want a string, got %s", describe(v))
		}
		if len(s.Enum) > 0 && !contains(s.Enum, str) {
			return reflect.Value{}, fmt.Errorf("%q is not one of %s", str, strings.Join(s.Enum, ", "))
		}
		return reflect.ValueOf(str), nil
	case ParamInt:
		switch n := v.(type) {
		case int:
			return reflect.ValueOf(int64(n)), nil
		case int64:
			return reflect.ValueOf(n), nil
		case float64:
			if n == float64(int64(n)) {
				return reflect.ValueOf(int64(n)), nil
			}
		case string:
			var i int64
			if _, err := fmt.Sscanf(n, "%d", &i); err == nil && fmt.Sprint(i) == n {
				return reflect.ValueOf(i), nil
			}
		}
		return reflect.Value{}, fmt.Errorf("want an integer, got %s", describe(v))
	case ParamFloat:
		switch n := v.(type) {
		case int:
			return reflect.ValueOf(float64(n)), nil
		case int64:
			return reflect.ValueOf(float64(n)), nil
		case float64:
			return reflect.ValueOf(n), nil
		}
		return reflect.Value{}, fmt.Errorf("want a number, got %s", describe(v))
	case ParamBool:
		if b, ok := v.(bool); ok {
			return reflect.ValueOf(b), nil
		}
		return reflect.Value{}, fmt.Errorf("want true or false, got %s", describe(v))
	case ParamDuration:
		str, ok := v.(string)
		if !ok {
			return reflect.Value{}, fmt.Errorf("want a duration such as \"30s\" or \"5m\", got %s", describe(v))
		}
		d, err := time.ParseDuration(str)
		if err != nil || d < 0 {
			return reflect.Value{}, fmt.Errorf("%q is not a duration such as \"30s\" or \"5m\"", str)
		}
		return reflect.ValueOf(d), nil
	case ParamStringList:
		return stringList(v)
	case ParamStringMap:
		return stringMap(v)
	case ParamAnyList:
		if l, ok := v.([]any); ok {
			return reflect.ValueOf(l), nil
		}
		return reflect.Value{}, fmt.Errorf("want a list, got %s", describe(v))
	case ParamAnyMap:
		if m, ok := v.(map[string]any); ok {
			return reflect.ValueOf(m), nil
		}
		return reflect.Value{}, fmt.Errorf("want a mapping, got %s", describe(v))
	case ParamAny:
		if v == nil {
			return reflect.Zero(reflect.TypeOf((*any)(nil)).Elem()), nil
		}
		return reflect.ValueOf(&v).Elem(), nil
	}
	return reflect.Value{}, fmt.Errorf("unsupported kind %s", s.Kind)
}

// scalarString accepts strings, and numbers and booleans written without
// quotes where a string is wanted (port: 1433 for a string field).
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, float64, bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

func stringList(v any) (reflect.Value, error) {
	l, ok := v.([]any)
	if !ok {
		if s, ok := v.([]string); ok {
			return reflect.ValueOf(s), nil
		}
		return reflect.Value{}, fmt.Errorf("want a list of strings, got %s", describe(v))
	}
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := scalarString(e)
		if !ok {
			return reflect.Value{}, fmt.Errorf("item %d: want a string, got %s", i+1, describe(e))
		}
		out[i] = s
	}
	return reflect.ValueOf(out), nil
}

func stringMap(v any) (reflect.Value, error) {
	m, ok := v.(map[string]any)
	if !ok {
		if s, ok := v.(map[string]string); ok {
			return reflect.ValueOf(s), nil
		}
		return reflect.Value{}, fmt.Errorf("want a mapping of strings, got %s", describe(v))
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, ok := scalarString(e)
		if !ok {
			return reflect.Value{}, fmt.Errorf("key %q: want a string, got %s", k, describe(e))
		}
		out[k] = s
	}
	return reflect.ValueOf(out), nil
}

// describe names a plain value's type for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", x)
	case int, int64:
		return fmt.Sprintf("integer %v", x)
	case float64:
		return fmt.Sprintf("number %v", x)
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
