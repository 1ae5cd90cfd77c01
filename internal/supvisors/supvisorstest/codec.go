package supvisorstest

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ---- XML-RPC encoding and decoding, written independently of kolo/xmlrpc ----

// ValueResponse is the methodResponse document answering v.
func ValueResponse(v any) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n")
	encodeValue(&b, v)
	b.WriteString("</param>\n</params>\n</methodResponse>\n")
	return b.Bytes()
}

// FaultResponse is the methodResponse document of a fault.
func FaultResponse(code int, s string) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<fault>\n")
	encodeValue(&b, map[string]any{"faultCode": code, "faultString": s})
	b.WriteString("</fault>\n</methodResponse>\n")
	return b.Bytes()
}

// encodeValue writes v as one XML-RPC <value>: nil, string, int, int64, float64 and bool as scalars, []string
// and []any as arrays, map[string]any and map[string]string as structs (members sorted by name). It panics on
// any other type: a fake server answering what no client reads is a bug of the test.
func encodeValue(b *bytes.Buffer, v any) {
	if ms, ok := v.(map[string]string); ok {
		m := make(map[string]any, len(ms))
		for k, e := range ms {
			m[k] = e
		}
		v = m
	}
	b.WriteString("<value>")
	switch x := v.(type) {
	case nil:
		b.WriteString("<nil/>")
	case string:
		b.WriteString("<string>")
		_ = xml.EscapeText(b, []byte(x))
		b.WriteString("</string>")
	case int:
		fmt.Fprintf(b, "<int>%d</int>", x)
	case int64:
		fmt.Fprintf(b, "<int>%d</int>", x)
	case float64:
		fmt.Fprintf(b, "<double>%s</double>", strconv.FormatFloat(x, 'f', -1, 64))
	case bool:
		if x {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case []string:
		encodeArray(b, x)
	case []any:
		encodeArray(b, x)
	case map[string]any:
		encodeStruct(b, x)
	default:
		panic(fmt.Sprintf("fake server cannot encode %T", v))
	}
	b.WriteString("</value>\n")
}

// encodeArray writes the <array> of the elements of x, each an encodeValue.
func encodeArray[E any](b *bytes.Buffer, x []E) {
	b.WriteString("<array><data>\n")
	for _, e := range x {
		encodeValue(b, e)
	}
	b.WriteString("</data></array>")
}

// encodeStruct writes the <struct> of x, one member per key in sorted order.
func encodeStruct(b *bytes.Buffer, x map[string]any) {
	b.WriteString("<struct>\n")
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("<member>\n<name>")
		_ = xml.EscapeText(b, []byte(k))
		b.WriteString("</name>\n")
		encodeValue(b, x[k])
		b.WriteString("</member>\n")
	}
	b.WriteString("</struct>")
}

// parseMethodCall decodes a methodCall into its name and generic arguments.
func parseMethodCall(body []byte) (string, []any, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var method string
	var args []any
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "methodName":
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				return "", nil, err
			}
			method = strings.TrimSpace(s)
		case "value":
			v, err := parseValue(dec)
			if err != nil {
				return "", nil, err
			}
			args = append(args, v)
		}
	}
	if method == "" {
		return "", nil, errors.New("no methodName")
	}
	return method, args, nil
}

// parseValue parses the content of a <value> whose start tag was consumed,
// through its end tag.
func parseValue(dec *xml.Decoder) (any, error) {
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.EndElement: // </value> without a type: string
			return text.String(), nil
		case xml.StartElement:
			v, err := parseTyped(dec, t)
			if err != nil {
				return nil, err
			}
			if err := skipTo(dec, "value"); err != nil {
				return nil, err
			}
			return v, nil
		}
	}
}

func skipTo(dec *xml.Decoder, end string) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if e, ok := tok.(xml.EndElement); ok && e.Name.Local == end {
			return nil
		}
	}
}

// parseTyped parses the typed content of a <value> whose type start tag se was consumed, through the type's
// end tag: arrays, structs and the scalars of parseScalar.
func parseTyped(dec *xml.Decoder, se xml.StartElement) (any, error) {
	switch se.Name.Local {
	case "array":
		return parseArray(dec)
	case "struct":
		return parseStruct(dec)
	}
	var s string
	if err := dec.DecodeElement(&s, &se); err != nil {
		return nil, err
	}
	return parseScalar(se.Name.Local, s)
}

// eachStart calls f for every start element read until the end tag named end (elements f consumes are not
// seen again; the others are walked into).
func eachStart(dec *xml.Decoder, end string, f func(xml.StartElement) error) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := f(t); err != nil {
				return err
			}
		case xml.EndElement:
			if t.Name.Local == end {
				return nil
			}
		}
	}
}

// parseArray parses the values of an <array> whose start tag was consumed, through its end tag.
func parseArray(dec *xml.Decoder) (any, error) {
	out := []any{}
	err := eachStart(dec, "array", func(t xml.StartElement) error {
		if t.Name.Local != "value" {
			return nil
		}
		v, err := parseValue(dec)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parseStruct parses the members of a <struct> whose start tag was consumed, through its end tag.
func parseStruct(dec *xml.Decoder) (any, error) {
	out := map[string]any{}
	var name string
	err := eachStart(dec, "struct", func(t xml.StartElement) error {
		switch t.Name.Local {
		case "name":
			return dec.DecodeElement(&name, &t)
		case "value":
			v, err := parseValue(dec)
			if err != nil {
				return err
			}
			out[name] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parseScalar converts the text s of a scalar XML-RPC value of type typ.
func parseScalar(typ, s string) (any, error) {
	switch typ {
	case "int", "i4", "i8":
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case "double":
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case "boolean":
		return strings.TrimSpace(s) == "1", nil
	case "string":
		return s, nil
	case "base64":
		return base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	case "nil":
		return nil, nil
	}
	return nil, fmt.Errorf("unsupported XML-RPC type %q", typ)
}
