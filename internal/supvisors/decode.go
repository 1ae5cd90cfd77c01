package supvisors

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Tolerant conversions of the generic values decoded from XML-RPC (see
// decodeResponse). Missing keys give zero values; ints and doubles convert into
// each other; an empty string may arrive as nil.

// toInt64 converts an int, double, bool or numeric string.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || x > math.MaxInt64 || x < math.MinInt64 {
			return 0, false
		}
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return toInt64(f)
		}
	}
	return 0, false
}

// toFloat64 converts a double, int or numeric string.
func toFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return f, true
		}
	}
	return 0, false
}

// toBool converts a boolean, int or "true"/"false" string.
func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int64:
		return x != 0, true
	case int:
		return x != 0, true
	case float64:
		return x != 0, true
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, true
		}
	}
	return false, false
}

// toString converts a string (nil is ""), or formats a number or boolean.
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// toStrings converts an array of strings (nil or a missing key is an empty
// slice; a lone string becomes a one-element slice).
func toStrings(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, toString(e))
		}
		return out
	case []string:
		return append([]string(nil), x...)
	case string:
		if x == "" {
			return []string{}
		}
		return []string{x}
	}
	return []string{}
}

// fields reads the members of an XML-RPC struct.
type fields map[string]any

func (f fields) str(k string) string { return toString(f[k]) }
func (f fields) strs(k string) []string {
	return toStrings(f[k])
}
func (f fields) int(k string) int {
	n, _ := toInt64(f[k])
	if n > math.MaxInt || n < math.MinInt {
		return 0
	}
	return int(n)
}
func (f fields) int64(k string) int64 { n, _ := toInt64(f[k]); return n }
func (f fields) float(k string) float64 {
	x, _ := toFloat64(f[k])
	return x
}
func (f fields) bool(k string) bool { b, _ := toBool(f[k]); return b }
func (f fields) strMap(k string) map[string]string {
	out := map[string]string{}
	if m, ok := f[k].(map[string]any); ok {
		for key, val := range m {
			out[key] = toString(val)
		}
	}
	return out
}
func (f fields) sub(k string) fields {
	if m, ok := f[k].(map[string]any); ok {
		return fields(m)
	}
	return fields{}
}

// asStruct checks that v is an XML-RPC struct.
func asStruct(v any, what string) (fields, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected a struct, got %s", what, describe(v))
	}
	return fields(m), nil
}

// asArray checks that v is an XML-RPC array (nil, i.e. an empty value, is
// accepted as an empty array).
func asArray(v any, what string) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("%s: expected an array, got %s", what, describe(v))
}

// decodeList decodes an array of structs with dec.
func decodeList[T any](v any, what string, dec func(fields) T) ([]T, error) {
	arr, err := asArray(v, what)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(arr))
	for i, e := range arr {
		f, err := asStruct(e, fmt.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		out = append(out, dec(f))
	}
	return out, nil
}

// decodeOne decodes one struct with dec.
func decodeOne[T any](v any, what string, dec func(fields) T) (T, error) {
	f, err := asStruct(v, what)
	if err != nil {
		var zero T
		return zero, err
	}
	return dec(f), nil
}

// decodeBool decodes the boolean answer of an action.
func decodeBool(v any, what string) (bool, error) {
	b, ok := toBool(v)
	if !ok {
		return false, fmt.Errorf("%s: expected a boolean, got %s", what, describe(v))
	}
	return b, nil
}

// decodeString decodes a string answer (nil is "").
func decodeString(v any, what string) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("%s: expected a string, got %s", what, describe(v))
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "an empty value"
	case map[string]any:
		return "a struct"
	case []any:
		return "an array"
	case string:
		return "a string"
	case int64:
		return "an int"
	case float64:
		return "a double"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
