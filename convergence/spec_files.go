package convergence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
)

// LabelFilesHash is berth's own label for the files copied into a container
// (configs and secrets given by content: or environment:). docker compose
// keeps their content out of its config hash, so an edited content would
// leave the container as it was; berth recreates it, and needs this label
// to notice. docker compose ignores the label.
const LabelFilesHash = "berth.files-hash"

// defaultFileMode is the mode docker compose gives copied configs and
// secrets when the service does not set one: world-readable, read-only.
const defaultFileMode = 0o444

// InjectedFiles are the files container of s get copied in before they
// start: each configs or secrets entry whose definition has content: (which
// compose-go interpolated) or environment: (a variable of the project's
// environment). File-backed ones are bind-mounted instead (spec_mounts.go).
// As in docker compose, an empty value copies nothing.
func InjectedFiles(p *types.Project, s types.ServiceConfig) ([]engine.File, error) {
	var out []engine.File
	for _, ref := range s.Secrets {
		def, ok := p.Secrets[ref.Source]
		if !ok {
			return nil, fmt.Errorf("secrets: secret %q is not defined in the project", ref.Source)
		}
		f, ok, err := injectedFile(p, s, "secret", types.FileReferenceConfig(ref), types.FileObjectConfig(def), "/run/secrets/")
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, f)
		}
	}
	for _, ref := range s.Configs {
		def, ok := p.Configs[ref.Source]
		if !ok {
			return nil, fmt.Errorf("configs: config %q is not defined in the project", ref.Source)
		}
		f, ok, err := injectedFile(p, s, "config", types.FileReferenceConfig(ref), types.FileObjectConfig(def), "/")
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// isInjected says whether def is copied in rather than bind-mounted.
func isInjected(def types.FileObjectConfig) bool {
	return def.Content != "" || def.Environment != ""
}

// injectedFile is the file one reference copies in; ok is false when it
// copies nothing (a file: definition, or an empty value).
func injectedFile(p *types.Project, s types.ServiceConfig, kind string, ref types.FileReferenceConfig, def types.FileObjectConfig, base string) (engine.File, bool, error) {
	if !isInjected(def) {
		return engine.File{}, false, nil
	}
	content := def.Content
	if content == "" {
		value, set := p.Environment[def.Environment]
		if !set {
			return engine.File{}, false, fmt.Errorf("%ss: %s %s takes its value from the variable %s, which is not set; set it in the environment or the .env file", kind, kind, ref.Source, def.Environment)
		}
		content = value
	}
	if content == "" {
		return engine.File{}, false, nil
	}
	if s.ReadOnly {
		return engine.File{}, false, fmt.Errorf("%ss: %s %s cannot be written into a read_only container; declare it with file: so it is bind-mounted", kind, kind, ref.Source)
	}
	f := engine.File{
		Path:     fileTarget(base, ref.Source, ref.Target),
		Content:  []byte(content),
		Mode:     unixMode(defaultFileMode),
		OwnerSet: ref.UID != "" || ref.GID != "",
	}
	if ref.Mode != nil {
		f.Mode = unixMode(uint32(*ref.Mode))
	}
	var err error
	if f.UID, err = numericID(kind, ref.Source, "uid", ref.UID); err != nil {
		return engine.File{}, false, err
	}
	if f.GID, err = numericID(kind, ref.Source, "gid", ref.GID); err != nil {
		return engine.File{}, false, err
	}
	return f, true, nil
}

// numericID reads a uid or gid; unset is 0 (root), as in docker compose.
func numericID(kind, name, attribute, value string) (int, error) {
	if value == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%ss: %s %s: %s %q is not a number", kind, kind, name, attribute, value)
	}
	return n, nil
}

// unixMode turns a mode as written in a compose file (0440, 04755) into an
// fs.FileMode, whose setuid, setgid and sticky bits sit elsewhere.
func unixMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// FilesHash is the value of LabelFilesHash for files: it moves when any
// path, content, mode or owner does. "" for no files.
func FilesHash(files []engine.File) string {
	if len(files) == 0 {
		return ""
	}
	raw, _ := json.Marshal(files) // plain data: it always marshals
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// filesChanged says whether container c of s holds other files than s now
// copies in. A container without LabelFilesHash that berth made (it has
// berth's section labels) had none; one docker compose made cannot tell,
// and is left alone, as compose itself would leave it.
func filesChanged(p *types.Project, s types.ServiceConfig, c engine.Container) bool {
	files, err := InjectedFiles(p, s)
	if err != nil {
		return false // building the spec reports it, should the container be created
	}
	have, labelled := c.Labels[LabelFilesHash]
	if !labelled {
		return madeByBerth(c.Labels) && len(files) > 0
	}
	return have != FilesHash(files)
}
