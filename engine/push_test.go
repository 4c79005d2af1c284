package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/registry"
)

// authRecorder is an engine stub that also keeps the X-Registry-Auth
// header of every pull and push.
type authRecorder struct {
	*engineStub
	mu      sync.Mutex
	headers []string
}

func (a *authRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/push") || strings.HasSuffix(r.URL.Path, "/images/create") {
		a.mu.Lock()
		a.headers = append(a.headers, r.Header.Get(registry.AuthHeader))
		a.mu.Unlock()
	}
	a.engineStub.ServeHTTP(w, r)
}

func connectAuthRecorder(t *testing.T, replies map[string]reply) (*Client, *authRecorder) {
	t.Helper()
	rec := &authRecorder{engineStub: &engineStub{replies: replies}}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, rec
}

// decodeAuth reads a header as the engine does.
func decodeAuth(t *testing.T, header string) registry.AuthConfig {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(header)
	if err != nil {
		t.Fatalf("X-Registry-Auth %q is not base64url: %v", header, err)
	}
	var ac registry.AuthConfig
	if err := json.Unmarshal(raw, &ac); err != nil {
		t.Fatalf("X-Registry-Auth %q is not JSON: %v", raw, err)
	}
	return ac
}

// TestPullAndPushSendAuth: the credentials reach the engine as the API
// wants them, and anonymous is an empty config rather than no header.
func TestPullAndPushSendAuth(t *testing.T) {
	c, rec := connectAuthRecorder(t, map[string]reply{
		"POST /images/create":                    {200, `{"status":"Pulling from berth/app"}` + "\n"},
		"POST /images/reg.example:5000/app/push": {200, `{"status":"Pushed","id":"3f4d90098f5b"}` + "\n"},
	})
	ctx := context.Background()
	// A password with characters that standard base64 would turn into + and /.
	login := RegistryAuth{ServerAddress: "reg.example:5000", Username: "ann", Password: "p>?~w~d"}
	if err := c.PullImage(ctx, "reg.example:5000/app:1", login, nil); err != nil {
		t.Fatalf("PullImage: %v", err)
	}
	var pushed []PushProgress
	if err := c.PushImage(ctx, "reg.example:5000/app:1", RegistryAuth{}, func(p PushProgress) { pushed = append(pushed, p) }); err != nil {
		t.Fatalf("PushImage: %v", err)
	}
	if len(rec.headers) != 2 {
		t.Fatalf("headers = %q, want one per call", rec.headers)
	}
	want := registry.AuthConfig{ServerAddress: "reg.example:5000", Username: "ann", Password: "p>?~w~d"}
	if got := decodeAuth(t, rec.headers[0]); got != want {
		t.Errorf("pull auth = %+v, want %+v", got, want)
	}
	if got := decodeAuth(t, rec.headers[1]); got != (registry.AuthConfig{}) {
		t.Errorf("anonymous push auth = %+v, want empty", got)
	}
	if !reflect.DeepEqual(pushed, []PushProgress{{ID: "3f4d90098f5b", Status: "Pushed"}}) {
		t.Errorf("push progress = %+v", pushed)
	}
	if q := rec.requests(); len(q) != 2 || !strings.Contains(q[1], "tag=1") {
		t.Errorf("requests = %q", q)
	}
}

func TestPushImageErrors(t *testing.T) {
	stream := `{"status":"The push refers to repository [reg.example:5000/app]"}
{"status":"Preparing","progressDetail":{},"id":"e5da97ba1a2f"}
{"status":"Pushing","progressDetail":{"current":512,"total":2048},"id":"e5da97ba1a2f"}
{"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}
`
	c, _ := connectAuthRecorder(t, map[string]reply{"POST /images/reg.example:5000/app/push": {200, stream}})
	var got []PushProgress
	err := c.PushImage(context.Background(), "reg.example:5000/app", RegistryAuth{Username: "ann", Password: "secret-pw"},
		func(p PushProgress) { got = append(got, p) })
	if err == nil || err.Error() != "pushing image reg.example:5000/app: unauthorized: authentication required" {
		t.Errorf("error = %v", err)
	}
	want := []PushProgress{
		{Status: "The push refers to repository [reg.example:5000/app]"},
		{ID: "e5da97ba1a2f", Status: "Preparing"},
		{ID: "e5da97ba1a2f", Status: "Pushing", Current: 512, Total: 2048},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress\n got %+v\nwant %+v", got, want)
	}
}

func TestRegistryAuthHidesSecrets(t *testing.T) {
	a := RegistryAuth{ServerAddress: "reg.example", Username: "ann", Password: "secret-pw", IdentityToken: "secret-tok"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		if got := fmt.Sprintf(verb, a); strings.Contains(got, "secret") || strings.Contains(got, fmt.Sprintf("%x", "secret")) {
			t.Errorf("Sprintf(%s) = %q: shows a secret", verb, got)
		}
	}
}
