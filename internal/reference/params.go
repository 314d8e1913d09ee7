package reference

import (
	"encoding/json"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// paramsObject is the schema of a mapping of params (or target fields):
// exactly the declared keys, the required ones present. extra holds
// properties beyond the specs (a target's type).
func paramsObject(specs []actions.ParamSpec, extra obj) obj {
	props := obj{}
	for k, v := range extra {
		props[k] = v
	}
	var required []string
	for _, s := range specs {
		props[s.Name] = paramSchema(s)
		if s.Required {
			required = append(required, s.Name)
		}
	}
	out := obj{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// paramSchema is the schema of one param's value.
func paramSchema(s actions.ParamSpec) obj {
	out := annotatable(valueSchema(s))
	doc := s.Doc
	if s.Default != "" {
		out["default"] = defaultValue(s)
	}
	if s.Secret && !strings.Contains(doc, "secret") {
		doc = strings.TrimSpace(doc + " May hold ${secrets.NAME}.")
	}
	if doc != "" {
		out["description"] = doc
	}
	return out
}

// scalar is what the loader accepts where a string is wanted: numbers
// and booleans written without quotes are taken as their text.
var scalar = obj{"type": []string{"string", "number", "boolean"}}

// valueSchema maps a param kind to a schema that also accepts a ${…}
// template (a value that is exactly one reference keeps the referenced
// type, so a list param may be "${vars.servers}").
func valueSchema(s actions.ParamSpec) obj {
	switch s.Kind {
	case actions.ParamString:
		if len(s.Enum) > 0 {
			return typed(obj{"enum": enumValues(s.Enum)}, "")
		}
		return obj{"type": []string{"string", "number", "boolean"}}
	case actions.ParamInt:
		return typed(obj{"type": "integer"}, "")
	case actions.ParamFloat:
		return typed(obj{"type": "number"}, "")
	case actions.ParamBool:
		return typed(obj{"type": "boolean"}, "")
	case actions.ParamDuration:
		return ref("duration")
	case actions.ParamStringList:
		return typed(obj{"type": "array", "items": scalar}, "")
	case actions.ParamStringMap:
		return typed(obj{"type": "object", "additionalProperties": scalar}, "")
	case actions.ParamAnyList:
		return typed(obj{"type": "array"}, "")
	case actions.ParamAnyMap:
		return typed(obj{"type": "object"}, "")
	}
	return obj{}
}

// defaultValue is a spec's default in its JSON type where that is plain.
func defaultValue(s actions.ParamSpec) any {
	switch s.Kind {
	case actions.ParamInt, actions.ParamFloat, actions.ParamBool:
		var v any
		if err := json.Unmarshal([]byte(s.Default), &v); err == nil {
			return v
		}
	}
	return s.Default
}

// enumValues lists the allowed values of an enum param as JSON values:
// each string, plus the boolean or number YAML reads when it is written
// without quotes (encrypt: true), which the loader takes as its text.
func enumValues(enum []string) []any {
	out := make([]any, 0, len(enum))
	for _, e := range enum {
		out = append(out, e)
	}
	for _, e := range enum {
		var v any
		if err := json.Unmarshal([]byte(e), &v); err == nil {
			switch v.(type) {
			case bool, float64:
				out = append(out, v)
			}
		}
	}
	return out
}
