package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/docker/go-units"
)

func TestDisplayPorts(t *testing.T) {
	tcp := func(ip string, public, private uint16) engine.Port {
		return engine.Port{HostIP: ip, Public: public, Private: private, Protocol: "tcp"}
	}
	tests := []struct {
		name  string
		ports []engine.Port
		want  string
	}{
		{"none", nil, ""},
		{"exposed only", []engine.Port{{Private: 80, Protocol: "tcp"}}, "80/tcp"},
		{"published elsewhere", []engine.Port{tcp("0.0.0.0", 8080, 80)}, "0.0.0.0:8080->80/tcp"},
		{"IPv6 host in brackets", []engine.Port{tcp("::", 8080, 80), tcp("0.0.0.0", 8080, 80)}, "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp"},
		{"same number, consecutive: one range", []engine.Port{tcp("0.0.0.0", 9001, 9001), tcp("0.0.0.0", 9000, 9000)}, "0.0.0.0:9000-9001->9000-9001/tcp"},
		{"exposed range with a gap", []engine.Port{{Private: 81, Protocol: "tcp"}, {Private: 80, Protocol: "tcp"}, {Private: 90, Protocol: "tcp"}}, "80-81/tcp, 90/tcp"},
		{"protocols apart", []engine.Port{{Private: 53, Protocol: "udp"}, {Private: 53, Protocol: "tcp"}}, "53/tcp, 53/udp"},
		{"IPv6 range in brackets", []engine.Port{tcp("::", 8080, 8080), tcp("0.0.0.0", 8080, 8080)}, "0.0.0.0:8080->8080/tcp, [::]:8080->8080/tcp"},
		{"host IPs as addresses", []engine.Port{tcp("10.0.0.1", 80, 80), tcp("9.0.0.1", 80, 80)}, "9.0.0.1:80->80/tcp, 10.0.0.1:80->80/tcp"},
		{"ranges first, remapped after", []engine.Port{tcp("127.0.0.1", 8443, 443), {Private: 80, Protocol: "tcp"}}, "80/tcp, 127.0.0.1:8443->443/tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := displayPorts(tt.ports); got != tt.want {
				t.Errorf("displayPorts = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusColumns(t *testing.T) {
	tests := []struct {
		status, health string
		exit           int
	}{
		{"Up 3 minutes (healthy)", "healthy", 0},
		{"Up 2 seconds (health: starting)", "starting", 0},
		{"Up 1 hour (unhealthy)", "unhealthy", 0},
		{"Exited (137) 5 seconds ago", "", 137},
		{"Created", "", 0},
	}
	for _, tt := range tests {
		if h, e := healthOf(tt.status), exitCodeOf(tt.status); h != tt.health || e != tt.exit {
			t.Errorf("%q: health %q exit %d, want %q %d", tt.status, h, e, tt.health, tt.exit)
		}
	}
	for command, want := range map[string]string{
		"sleep 3600": `"sleep 3600"`,
		"/docker-entrypoint.sh nginx -g daemon off;": `"/docker-entrypoint.…"`,
	} {
		if got := displayCommand(command, false); got != want {
			t.Errorf("displayCommand(%q) = %s, want %s", command, got, want)
		}
	}
	if got := displayCommand("/docker-entrypoint.sh nginx", true); got != `"/docker-entrypoint.sh nginx"` {
		t.Errorf("--no-trunc cut the command: %s", got)
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		300 * time.Millisecond: "Less than a second",
		time.Second:            "1 second",
		42 * time.Second:       "42 seconds",
		90 * time.Second:       "About a minute",
		59 * time.Minute:       "59 minutes",
		80 * time.Minute:       "About an hour",
		5 * time.Hour:          "5 hours",
		72 * time.Hour:         "3 days",
		15 * 24 * time.Hour:    "2 weeks",
		90 * 24 * time.Hour:    "3 months",
		800 * 24 * time.Hour:   "2 years",
	} {
		if got := units.HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestPsTemplateTruncates(t *testing.T) {
	rows := []psRow{{ID: "0123456789abcdef0123", Command: "/docker-entrypoint.sh nginx"}}
	for noTrunc, want := range map[bool]string{
		false: `0123456789ab "/docker-entrypoint.…"` + "\n",
		true:  `0123456789abcdef0123 "/docker-entrypoint.sh nginx"` + "\n",
	} {
		var out strings.Builder
		if err := printPs(&out, rows, &psOptions{Format: "{{.ID}} {{.Command}}", NoTrunc: noTrunc}); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("--no-trunc=%v: %q, want %q", noTrunc, out.String(), want)
		}
	}
}
