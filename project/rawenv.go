package project

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// docker compose accepts `env_file: {path: x, format: raw}`: lines read the
// way `docker run --env-file` reads them, with no quoting or interpolation.
// compose-go leaves that format to its callers.
func init() {
	dotenv.RegisterFormat("raw", parseRawEnv)
}

// parseRawEnv reads KEY=VALUE lines verbatim. A bare KEY takes its value
// from lookup and is left out when lookup has none; '#' starts a comment
// line.
func parseRawEnv(r io.Reader, filename string, vars map[string]string, lookup func(string) (string, bool)) error {
	scanner := bufio.NewScanner(r)
	for n := 1; scanner.Scan(); n++ {
		raw := scanner.Bytes()
		if !utf8.Valid(raw) {
			return fmt.Errorf("env file %s line %d: invalid UTF-8", filename, n)
		}
		if n == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
		}
		line := strings.TrimLeftFunc(string(raw), unicode.IsSpace)
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, hasValue := strings.Cut(line, "=")
		if key == "" {
			return fmt.Errorf("env file %s line %d: no variable name before '='", filename, n)
		}
		if strings.ContainsAny(key, " \t") {
			return fmt.Errorf("env file %s line %d: variable name %q contains white space", filename, n, key)
		}
		if hasValue {
			vars[key] = value
		} else if v, ok := lookup(key); ok {
			vars[key] = v
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("reading env file %s: %w", filename, err)
	}
	return nil
}
