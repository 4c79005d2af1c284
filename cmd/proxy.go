package cmd

import (
	"fmt"

	"github.com/berth-compose/berth/engine"
)

// proxyEnv is the proxy environment the docker CLI config gives containers
// on this engine. A config berth cannot read costs the proxies, not the
// command: the docker CLI also only warns about a broken config.json.
func (s *session) proxyEnv() map[string]string {
	host := ""
	if ep, err := engine.ResolveEndpoint(s.deps.Getenv); err == nil {
		host = ep.Host
	}
	env, err := engine.ProxyEnv(s.deps.Getenv, host)
	if err != nil {
		fmt.Fprintln(s.deps.Err, "warning:", err, "(containers get no proxy settings)")
	}
	return env
}
