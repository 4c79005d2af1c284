package cmd

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

func TestPortRun(t *testing.T) {
	fake, dir := runningProject(t)
	mustRun(t, fake, dir, nil, "up", "-d", "--scale", "web=2")
	mustRun(t, fake, dir, nil, "stop", "worker")
	ports := map[string][]engine.Port{
		"run-web-1": {
			{HostIP: "0.0.0.0", Private: 80, Public: 8080, Protocol: "tcp"},
			{HostIP: "::", Private: 80, Public: 8080, Protocol: "tcp"},
			{HostIP: "127.0.0.1", Private: 53, Public: 5353, Protocol: "udp"},
			{Private: 90, Protocol: "tcp"}, // exposed only
		},
		"run-web-2": {{HostIP: "0.0.0.0", Private: 80, Public: 8081, Protocol: "tcp"}},
	}
	for name, ps := range ports {
		if err := fake.SetPorts(name, ps...); err != nil {
			t.Fatal(err)
		}
	}
	written := len(writes(fake))
	tests := []struct {
		args    []string
		want    string // stdout, exactly; "" with an error
		wantErr string // "" for success
	}{
		{args: []string{"port", "web", "80"}, want: "0.0.0.0:8080\n"},
		{args: []string{"port", "--index", "2", "web", "80"}, want: "0.0.0.0:8081\n"},
		{args: []string{"port", "--protocol", "udp", "web", "53"}, want: "127.0.0.1:5353\n"},
		{args: []string{"port", "--protocol", "UDP", "web", "53"}, want: "127.0.0.1:5353\n"},
		{args: []string{"port", "web", "53"}, wantErr: "container run-web-1 does not publish port 53/tcp; it publishes 53/udp, 80/tcp"},
		{args: []string{"port", "web", "90"}, wantErr: "does not publish port 90/tcp"},
		{args: []string{"port", "db", "80"}, wantErr: "container run-db-1 does not publish port 80/tcp: it publishes no port"},
		{args: []string{"port", "worker", "80"}, wantErr: `service "worker" has no running container`},
		{args: []string{"port", "--index", "3", "web", "80"}, wantErr: `service "web" has no running container number 3`},
		{args: []string{"port", "nosuch", "80"}, wantErr: "no such service: nosuch"},
		{args: []string{"port", "web"}, wantErr: "port needs two arguments, SERVICE and PRIVATE_PORT"},
		{args: []string{"port", "web", "80/tcp"}, wantErr: `invalid PRIVATE_PORT "80/tcp"`},
		{args: []string{"port", "web", "70000"}, wantErr: `invalid PRIVATE_PORT "70000"`},
		{args: []string{"port", "--protocol", "icmp", "web", "80"}, wantErr: `invalid --protocol "icmp"`},
		{args: []string{"port", "--index", "-1", "web", "80"}, wantErr: "invalid --index -1"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := berthRun(t, fake, dir, nil, tt.args...)
			if wantCode := map[bool]int{true: 0, false: 1}[tt.wantErr == ""]; code != wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, wantCode, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout %q, want %q", out, tt.want)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
	if w := writes(fake)[written:]; len(w) > 0 {
		t.Errorf("port changed the engine: %v", w)
	}
}
