package pipeline

import (
	"fmt"
	"os"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// LocalVariablesFile is the variables file jobrun also reads from the
// project directory (gitlab-ci-local's name, so existing files work).
const LocalVariablesFile = ".gitlab-ci-local-variables.yml"

// ReadVariablesFile reads a variables file (see ParseVariablesFile).
func ReadVariablesFile(path string) (job.Variables, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Pos: Pos{File: path}, Msg: "cannot read the variables file: " + errText(err)}
	}
	return ParseVariablesFile(path, data)
}

// ParseVariablesFile reads a YAML mapping of variables:
//
//	PLAIN: value
//	TOKEN: {value: s3cr3t, masked: true}
//	KEY_FILE: {value: "...", file: true}     # or type: file
//	SCOPED: {values: {"*": a, production: b}} # the "*" entry is used
//
// Masked and file variables are not public. Error messages never quote a
// value.
func ParseVariablesFile(name string, data []byte) (job.Variables, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	var out job.Variables
	for _, p := range root.Pairs {
		if !validVarName(p.Key) {
			// Not quoted: a mistyped line may hold a secret.
			return nil, &Error{Pos: p.KeyPos, Msg: "a variable name is not valid; expected letters, digits and _"}
		}
		v := job.Variable{Key: p.Key, Public: true}
		switch {
		case p.Val.Kind == Scalar:
			v.Value = p.Val.Value
		case p.Val.Kind == Map:
			if err := fileVariable(p.Val, &v); err != nil {
				return nil, err
			}
		default:
			return nil, errAt(p.Val, "variable %s is %s; expected a value or {value, masked, file}", p.Key, p.Val.Describe())
		}
		out.Set(v)
	}
	return out, nil
}

func fileVariable(n *Node, v *job.Variable) error {
	// Unknown keys are not quoted: in a file of secrets, `TOKEN: {s3cr3t}`
	// makes the secret a key.
	allowed := []string{"value", "values", "masked", "file", "type", "raw", "expand", "description"}
	for _, p := range n.Pairs {
		if !containsKey(allowed, p.Key) {
			return &Error{Pos: p.KeyPos, Msg: "variable " + v.Key + " has an unknown key; expected " + strings.Join(allowed, ", ")}
		}
	}
	if val := n.Get("value"); val != nil {
		if val.Kind != Scalar {
			return errAt(val, "%s:value is %s; expected a string", v.Key, val.Describe())
		}
		v.Value = val.Value
	} else if vals := n.Get("values"); vals != nil {
		if err := mustMap(vals, v.Key+":values"); err != nil {
			return err
		}
		star := vals.Get("*")
		if star == nil || star.Kind != Scalar {
			return errAt(vals, "%s:values has no \"*\" entry; expected the value for every environment under \"*\"", v.Key)
		}
		v.Value = star.Value
	}
	var err error
	if v.Masked, err = asBool(n.Get("masked"), v.Key+":masked"); err != nil {
		return err
	}
	if v.File, err = asBool(n.Get("file"), v.Key+":file"); err != nil {
		return err
	}
	if t := n.Get("type"); t != nil {
		s, err := asString(t, v.Key+":type")
		if err != nil {
			return err
		}
		switch s {
		case "file":
			v.File = true
		case "variable", "":
		default:
			return errAt(t, "%s:type is %q; expected file or variable", v.Key, s)
		}
	}
	if v.Raw, err = asBool(n.Get("raw"), v.Key+":raw"); err != nil {
		return err
	}
	if e := n.Get("expand"); e != nil {
		expand, err := asBool(e, v.Key+":expand")
		if err != nil {
			return err
		}
		v.Raw = !expand
	}
	v.Public = !v.Masked && !v.File
	return nil
}

// CLIVariables turns --var KEY=VALUE and --secret KEY=VALUE|KEY into
// variables; a bare secret KEY takes its value from the environment.
// Secrets are masked and not public. Errors name keys, never values.
func CLIVariables(vars, secrets []string, lookupEnv func(string) (string, bool)) (job.Variables, error) {
	var out job.Variables
	for i, s := range vars {
		k, v, ok := strings.Cut(s, "=")
		if !ok || !validVarName(k) {
			return nil, fmt.Errorf("--var #%d: expected KEY=VALUE with a KEY of letters, digits and _", i+1)
		}
		out.Set(job.Variable{Key: k, Value: v, Public: true})
	}
	for i, s := range secrets {
		k, v, ok := strings.Cut(s, "=")
		if !validVarName(k) {
			return nil, fmt.Errorf("--secret #%d: expected KEY=VALUE or KEY with a KEY of letters, digits and _", i+1)
		}
		if !ok {
			env, set := lookupEnv(k)
			if !set {
				return nil, fmt.Errorf("--secret %s: the environment variable %s is not set", k, k)
			}
			v = env
		}
		out.Set(job.Variable{Key: k, Value: v, Masked: true})
	}
	return out, nil
}
