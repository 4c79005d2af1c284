package project

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	yamlv4 "go.yaml.in/yaml/v4"
	"gopkg.in/yaml.v3"
)

// FileError is a problem at a place in a compose file. Its message reads
// "file:line: what is wrong; how to fix it", the form editors and CI logs
// turn into links.
type FileError struct {
	File string
	Line int // 0 when unknown
	Msg  string
	Fix  string
	Err  error // what compose-go reported
}

func (e *FileError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	msg := where + ": " + e.Msg
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

func (e *FileError) Unwrap() error { return e.Err }

// validationMessage matches compose-go's schema errors:
// "validating <file>: <dotted.path> <problem>".
var validationMessage = regexp.MustCompile(`^validating (.+?): (\S*) +(.*)$`)

var additionalProperty = regexp.MustCompile(`^additional propert(?:y|ies) '([^']+)'`)

// explain turns compose-go's errors into ones that name the file, the line
// and the fix; errors it does not recognise pass through unchanged.
func explain(err error, files []string) error {
	if err == nil {
		return nil
	}
	if m := validationMessage.FindStringSubmatch(err.Error()); m != nil {
		return explainValidation(err, m[1], m[2], m[3])
	}
	if strings.Contains(err.Error(), "yaml") {
		if fe := findSyntaxError(files, err); fe != nil {
			return fe
		}
	}
	var panicked *LoaderPanicError
	if errors.As(err, &panicked) {
		panicked.Files = files
		return panicked
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) && errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: check the path given with -f, --env-file or COMPOSE_FILE", err)
	}
	return err
}

func explainValidation(err error, file, dotted, problem string) error {
	path := splitPath(dotted)
	fe := &FileError{File: file, Err: err}
	if m := additionalProperty.FindStringSubmatch(problem); m != nil {
		path = append(path, m[1])
		fe.Msg = fmt.Sprintf("unknown attribute %q%s", m[1], under(path[:len(path)-1]))
		fe.Fix = fixFor(path)
	} else if problem == "false schema" && len(path) > 0 {
		fe.Msg = fmt.Sprintf("unknown attribute %q%s", path[len(path)-1], under(path[:len(path)-1]))
		fe.Fix = fixFor(path)
	} else {
		fe.Msg = strings.TrimSpace(dotted + " " + problem)
	}
	fe.Line = lineOf(file, path)
	return fe
}

func under(path []string) string {
	if len(path) == 0 {
		return " at the top level"
	}
	return " in " + strings.Join(path, ".")
}

func fixFor(path []string) string {
	name := path[len(path)-1]
	if len(path) == 1 {
		if s := closest(name, topLevelKeys); s != "" {
			return fmt.Sprintf("did you mean %q? Top-level attributes are %s, or x-* extensions", s, strings.Join(topLevelKeys, ", "))
		}
		return "top-level attributes are " + strings.Join(topLevelKeys, ", ") + ", or x-* extensions"
	}
	return "remove it or fix its spelling (see the Compose Specification); custom attributes must start with x-"
}

var topLevelKeys = []string{"name", "services", "networks", "volumes", "secrets", "configs", "include", "models", "version"}

func splitPath(dotted string) []string {
	if dotted == "" {
		return nil
	}
	return strings.Split(dotted, ".")
}

// closest returns the candidate within two edits of s, if any.
func closest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// lineOf finds the line of a mapping key path in a YAML file, 0 if the file
// or the path cannot be read.
func lineOf(file string, path []string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	node, line := doc.Content[0], 0
	for _, key := range path {
		next := mappingValue(node, key)
		if next == nil {
			return line
		}
		line, node = next[0].Line, next[1]
	}
	return line
}

// mappingValue returns the key and value nodes for key in a mapping node.
func mappingValue(node *yaml.Node, key string) []*yaml.Node {
	if node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i : i+2]
		}
	}
	return nil
}

// findSyntaxError re-reads each compose file to say which one is not valid
// YAML and where: compose-go's message names neither.
func findSyntaxError(files []string, cause error) *FileError {
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// The same YAML library as compose-go, so the message matches.
		var doc yamlv4.Node
		if err := yamlv4.Unmarshal(data, &doc); err != nil {
			line, msg := yamlErrorLine(err.Error())
			return &FileError{
				File: f, Line: line, Err: cause,
				Msg: "invalid YAML: " + msg,
				Fix: "check the indentation and that each entry is `key: value` or `- item`",
			}
		}
	}
	return nil
}

// yamlPosition matches go-yaml's "(while parsing X) at L3.C3-L5.C4: msg",
// also in its one-line ("L4.C18-C22") and single-point ("L2.C1") forms. The
// end of a range is where the parser gave up, the line to look at.
var yamlPosition = regexp.MustCompile(`(\(while [^)]*\)) at L(\d+)\.C\d+(?:-(?:L(\d+)\.)?C\d+)?: (.*)$`)

func yamlErrorLine(msg string) (int, string) {
	m := yamlPosition.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	last := m[3]
	if last == "" {
		last = m[2]
	}
	line, _ := strconv.Atoi(last)
	return line, m[4] + " " + m[1]
}
