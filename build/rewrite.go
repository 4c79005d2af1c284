package build

import (
	"strings"
)

// rewrite points the Dockerfile's references to named contexts at the
// images standing for them (refs: name -> image): the image of a FROM,
// the --from of a COPY or ADD and the from= of a RUN mount. A name that
// an earlier stage took stays that stage's. It returns the Dockerfile
// again, with only the changed instructions written anew, and whether
// any changed.
func (d dockerfile) rewrite(refs map[string]string) (string, bool) {
	stages := map[string]bool{}
	lines := append([]string(nil), d.directives...)
	changed := false
	target := func(name string) (string, bool) {
		img, ok := refs[name]
		return img, ok && !stages[strings.ToLower(name)]
	}
	for _, ins := range d.instructions {
		if args, ok := rewriteArgs(ins, target); ok {
			changed = true
			lines = append(lines, ins.keyword+" "+args)
			lines = append(lines, ins.body...)
		} else {
			lines = append(lines, ins.raw...)
		}
		// Taken from the next instruction on: a FROM may name a context
		// and call its stage by the same name.
		if f := parseFrom(ins.args); ins.keyword == "FROM" && f.stage != "" {
			stages[strings.ToLower(f.stage)] = true
		}
	}
	return strings.Join(lines, "\n") + "\n", changed
}

// rewriteArgs is ins's arguments with named contexts replaced, and
// whether it replaced any.
func rewriteArgs(ins instruction, target func(string) (string, bool)) (string, bool) {
	switch ins.keyword {
	case "FROM":
		f := parseFrom(ins.args)
		img, ok := target(f.image)
		if !ok {
			return "", false
		}
		out := strings.Join(append(append([]string(nil), f.flags...), img), " ")
		if f.stage != "" {
			out += " AS " + f.stage
		}
		return out, true
	case "COPY", "ADD", "RUN":
		return rewriteFlags(ins.args, target)
	}
	return "", false
}

// rewriteFlags replaces the context named by --from= and by a mount's
// from= among the leading flags.
func rewriteFlags(args string, target func(string) (string, bool)) (string, bool) {
	fields := strings.Fields(args)
	changed := false
	for i, f := range fields {
		if !strings.HasPrefix(f, "--") {
			break
		}
		if name, ok := strings.CutPrefix(f, "--from="); ok {
			if img, ok := target(name); ok {
				fields[i], changed = "--from="+img, true
			}
		}
		if spec, ok := strings.CutPrefix(f, "--mount="); ok {
			kvs := strings.Split(spec, ",")
			for j, kv := range kvs {
				k, v, _ := strings.Cut(kv, "=")
				if img, ok := target(v); ok && strings.EqualFold(k, "from") {
					kvs[j], changed = k+"="+img, true
				}
			}
			fields[i] = "--mount=" + strings.Join(kvs, ",")
		}
	}
	return strings.Join(fields, " "), changed
}
