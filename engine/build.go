package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/moby/client"
)

// BuildRequest is one image build in berth's own terms; the build package
// fills it from a service's build section, and only this package turns it
// into the engine's build call.
type BuildRequest struct {
	// ContextDir is a local folder, sent to the engine through a BuildKit
	// session with Excludes left out; ContextURL is a git or http(s) URL
	// the engine fetches itself. Exactly one is set.
	ContextDir string
	ContextURL string
	// Excludes are the ignore file's patterns (.dockerignore syntax).
	Excludes []string
	// ContextKey names the context and its excludes: builds with the same
	// key send the same files, so the engine's copy from one serves the
	// next and only changed files travel again; two such transfers never
	// run at once.
	ContextKey string
	// Dockerfile is the Dockerfile's path on disk, or, with ContextURL,
	// inside the fetched context. DockerfileInline, when set, is the
	// Dockerfile itself and Dockerfile is ignored.
	Dockerfile       string
	DockerfileInline []byte

	Tags       []string // the first is the image's name
	Args       map[string]*string
	Labels     map[string]string
	Target     string
	Network    string
	Platform   string // one os/arch[/variant], "" for the engine's own
	Isolation  string
	ExtraHosts []string // "host:ip"
	ShmSize    int64
	Memory     int64
	CacheFrom  []string // image references
	NoCache    bool
	Pull       bool // always look for a newer base image
	Ulimits    []BuildUlimit
	Secrets    []BuildSecret
	SSH        []BuildSSH
	// Auth, when set, gives the login for a registry the builder pulls a
	// base image from (a FROM in a private registry); nil leaves those
	// pulls anonymous. It is no part of what is built (json:"-", so
	// ShareKey leaves it out).
	Auth func(host string) (RegistryAuth, error) `json:"-"`
}

// BuildUlimit is one ulimit of the build's RUN steps.
type BuildUlimit struct {
	Name       string
	Soft, Hard int64
}

// BuildSecret is a secret a RUN --mount=type=secret step can read; it is
// handed to the engine only when a step asks for it, and never stored in
// the image. Its content comes from File, or is Value.
type BuildSecret struct {
	ID    string
	File  string
	Value []byte
}

// BuildSSH is an SSH agent (or key files) a RUN --mount=type=ssh step can
// use; ID "default" with no Paths is the agent at $SSH_AUTH_SOCK.
type BuildSSH struct {
	ID    string
	Paths []string
}

// BuildStep is where one step of a build stands, as the builder reports
// it: each change of a step calls the progress function again.
type BuildStep struct {
	ID        string // stable within the build
	Name      string // "[web 2/3] RUN make"
	Started   bool
	Completed bool
	Cached    bool
	Error     string
	// Output is the step's last lines of output, kept for a failed step.
	Output string
}

// BuildProgress is one report of a running build: a step changed, or a
// notice for the user (the engine has no BuildKit and the classic builder
// runs instead).
type BuildProgress struct {
	Step   *BuildStep
	Notice string
}

// BuildError is a failed build: the step that failed, what the builder
// said, and the step's last output.
type BuildError struct {
	Step    string
	Message string
	Output  string
}

func (e *BuildError) Error() string {
	msg := e.Message
	if e.Step != "" {
		msg = "step " + e.Step + ": " + msg
	}
	if out := strings.TrimRight(e.Output, "\n"); out != "" {
		msg += "\n" + indent(out)
	}
	return msg
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// BuildImage builds req and returns the new image's id. It uses the
// engine's BuildKit builder, with a session that serves the context, the
// Dockerfile, the secrets and the SSH agents; only an engine without
// BuildKit gets the classic builder, which progress hears of once as a
// notice.
func (c *Client) BuildImage(ctx context.Context, req BuildRequest, progress func(BuildProgress)) (string, error) {
	if progress == nil {
		progress = func(BuildProgress) {}
	}
	if req.ContextDir == "" && req.ContextURL == "" {
		return "", errors.New("building: the request names no context")
	}
	if c.hasBuildKit(ctx) {
		id, err := c.buildKit(ctx, req, progress)
		if !noBuildKit(err) {
			return id, err
		}
	}
	progress(BuildProgress{Notice: "this Docker engine has no BuildKit builder: building with the classic builder, which ignores build secrets, ssh and cache exports"})
	return c.buildClassic(ctx, req, progress)
}

// hasBuildKit: BuildKit runs inside every Linux engine berth supports
// (API 1.40 and later); Windows engines have only the classic builder.
func (c *Client) hasBuildKit(ctx context.Context) bool {
	res, err := c.api.Ping(ctx, client.PingOptions{})
	return err != nil || res.OSType != "windows"
}

// noBuildKit recognises the engine's refusal of a BuildKit build, which
// an engine built without it, or one told to turn it off, answers with.
func noBuildKit(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "buildkit not supported") || strings.Contains(msg, "buildkit is not supported")
}

// buildFailed wraps a failed build call with what was built.
func buildFailed(tag string, err error) error {
	var be *BuildError
	if errors.As(err, &be) {
		return err
	}
	return fmt.Errorf("building %s: %w", tag, err)
}
