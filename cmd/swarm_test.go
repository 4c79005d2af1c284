package cmd

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine/enginetest"
)

const swarmYAML = `
name: shop
services:
  db:
    image: busybox
  web:
    image: busybox
    container_name: fixed
    depends_on: [db]
`

func TestSwarmCommands(t *testing.T) {
	fake := enginetest.New()
	dir := projectIn(t, swarmYAML)

	code, out, errOut := berthRun(t, fake, dir, nil, "--dry-run", "swarm", "up")
	if code != 0 || !strings.Contains(out, "create-service:web [after create-network:shop_default, wait:db] (new service)") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "container_name") || len(fake.Services()) != 0 {
		t.Errorf("dry run: no container_name warning, or services made: %s", errOut)
	}

	mustRun(t, fake, dir, nil, "swarm", "up", "--wait")
	if got := len(fake.Services()); got != 2 {
		t.Fatalf("%d services after swarm up", got)
	}
	if out := mustRun(t, fake, dir, nil, "swarm", "services"); !strings.Contains(out, "shop_web") || !strings.Contains(out, "1/1") {
		t.Errorf("swarm services:\n%s", out)
	}
	if out := mustRun(t, fake, dir, nil, "swarm", "ps", "db"); !strings.Contains(out, "shop_db.1") || !strings.Contains(out, "node-1") || strings.Contains(out, "shop_web") {
		t.Errorf("swarm ps db:\n%s", out)
	}
	if out := mustRun(t, fake, dir, nil, "swarm", "specs"); !strings.Contains(out, `"Name": "shop_db"`) || !strings.Contains(out, "berth.spec-hash") {
		t.Errorf("swarm specs:\n%s", out)
	}
	if code, _, errOut := berthRun(t, fake, dir, nil, "swarm", "ps", "nope"); code == 0 || !strings.Contains(errOut, `no service "nope"`) {
		t.Errorf("swarm ps of an unknown service: exit %d %s", code, errOut)
	}

	mustRun(t, fake, dir, nil, "swarm", "down")
	if got := len(fake.Services()); got != 0 {
		t.Errorf("%d services after swarm down", got)
	}
}

func TestSwarmNeedsAManager(t *testing.T) {
	code, _, errOut := berthRun(t, enginetest.New().WithoutSwarm(), projectIn(t, swarmYAML), nil, "swarm", "up")
	if code == 0 || !strings.Contains(errOut, "docker swarm init") {
		t.Errorf("outside a swarm: exit %d %s", code, errOut)
	}
}
