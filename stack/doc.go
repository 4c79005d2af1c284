// Package stack deploys a compose project to Docker Swarm: each service
// becomes a swarm service, each network an overlay network, each config or
// secret a swarm object, all labelled with the stack's namespace as docker
// stack labels them. The translation (spec*.go) is pure: a project and the
// facts of one deploy in, API specs and warnings out.
package stack
