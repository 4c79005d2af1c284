package build

import (
	"regexp"
	"strings"
)

// dockerfile is what berth needs from a Dockerfile: its instructions,
// each as one logical line (continuations joined) and the lines it was
// written on, so that only an instruction berth changes loses its layout.
type dockerfile struct {
	directives   []string // the parser directives at its top, as written
	instructions []instruction
}

type instruction struct {
	keyword string   // upper case: FROM, COPY, RUN...
	args    string   // the rest of the logical line
	raw     []string // the lines as written, continuations and heredocs included
	body    []string // heredoc lines, which belong to the instruction
}

var (
	escapeDirective = regexp.MustCompile(`(?i)^#\s*escape\s*=\s*(\S)\s*$`)
	heredocStart    = regexp.MustCompile(`<<(-?)["']?([A-Za-z_][A-Za-z0-9_]*)["']?`)
)

// parseDockerfile splits text into instructions. It knows the escape
// directive, comments, line continuations and heredocs: enough never to
// take a line of a RUN script, or a continued line, for an instruction.
func parseDockerfile(text string) dockerfile {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	escape := `\`
	var d dockerfile
	directives := true
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimSpace(lines[i])
		if directives {
			if m := escapeDirective.FindStringSubmatch(trimmed); m != nil {
				escape = m[1]
			}
			directives = strings.HasPrefix(trimmed, "#") && strings.Contains(trimmed, "=")
			if directives {
				d.directives = append(d.directives, lines[i])
				continue
			}
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ins, next := readInstruction(lines, i, escape)
		d.instructions = append(d.instructions, ins)
		i = next
	}
	return d
}

// readInstruction reads the instruction starting at line i and returns
// it with the index of its last line.
func readInstruction(lines []string, i int, escape string) (instruction, int) {
	var parts, raw []string
	for ; i < len(lines); i++ {
		raw = append(raw, lines[i])
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, "#") && len(parts) > 0 {
			continue // a comment inside a continued instruction
		}
		if cont, ok := strings.CutSuffix(line, escape); ok && i+1 < len(lines) {
			parts = append(parts, strings.TrimSpace(cont))
			continue
		}
		parts = append(parts, line)
		break
	}
	logical := strings.Join(parts, " ")
	keyword, args, _ := strings.Cut(logical, " ")
	ins := instruction{keyword: strings.ToUpper(keyword), args: strings.TrimSpace(args)}
	for _, m := range heredocStart.FindAllStringSubmatch(ins.args, -1) {
		for i+1 < len(lines) {
			i++
			raw = append(raw, lines[i])
			ins.body = append(ins.body, lines[i])
			end := lines[i]
			if m[1] == "-" {
				end = strings.TrimLeft(end, "\t")
			}
			if end == m[2] {
				break
			}
		}
	}
	ins.raw = raw
	return ins, i
}

// from is one FROM: its flags, image and stage name.
type from struct {
	flags []string
	image string
	stage string
}

func parseFrom(args string) from {
	var f from
	fields := strings.Fields(args)
	for i := 0; i < len(fields); i++ {
		switch {
		case strings.HasPrefix(fields[i], "--"):
			f.flags = append(f.flags, fields[i])
		case f.image == "":
			f.image = fields[i]
		case strings.EqualFold(fields[i], "as") && i+1 < len(fields):
			f.stage = fields[i+1]
			i++
		}
	}
	return f
}

// bases lists the images the Dockerfile's stages start from, with build
// arguments (and the defaults of the ARGs before the first FROM) filled
// in; stages built from an earlier stage and scratch are left out.
func (d dockerfile) bases(args map[string]string) []string {
	vars := map[string]string{}
	stages := map[string]bool{}
	var out []string
	seenFrom := false
	for _, ins := range d.instructions {
		switch {
		case ins.keyword == "ARG" && !seenFrom:
			for _, decl := range strings.Fields(ins.args) {
				name, def, _ := strings.Cut(decl, "=")
				vars[name] = strings.Trim(def, `"'`)
				if v, ok := args[name]; ok {
					vars[name] = v
				}
			}
		case ins.keyword == "FROM":
			seenFrom = true
			f := parseFrom(ins.args)
			image := expand(f.image, vars)
			if image != "" && !stages[strings.ToLower(image)] && !strings.EqualFold(image, "scratch") {
				out = append(out, image)
			}
			if f.stage != "" {
				stages[strings.ToLower(f.stage)] = true
			}
		}
	}
	return out
}

// expand fills in $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alt} from
// vars, as the Dockerfile does in FROM.
func expand(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name, op, word := m[1]+m[4], m[2], m[3]
		v, set := vars[name]
		switch op {
		case ":-":
			if v == "" {
				return word
			}
		case ":+":
			if set && v != "" {
				return word
			}
			return ""
		}
		return v
	})
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
