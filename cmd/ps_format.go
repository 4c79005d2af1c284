package cmd

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// This file renders ps columns as the docker CLI's formatters, which docker
// compose uses, render them, so that a table reads the same in either.

// displayPorts renders a container's ports as docker does, such as
// "0.0.0.0:8080->80/tcp, 9000-9001/tcp". Ports published on the number they
// expose, and ports only exposed, merge into ranges of consecutive numbers
// per host IP and protocol; a port published on another number is listed on
// its own, after them.
func displayPorts(ports []engine.Port) string {
	sorted := slices.Clone(ports)
	slices.SortFunc(sorted, func(a, b engine.Port) int {
		return cmp.Or(cmp.Compare(a.Private, b.Private), compareIPs(a.HostIP, b.HostIP),
			cmp.Compare(a.Public, b.Public), cmp.Compare(a.Protocol, b.Protocol))
	})
	var out, remapped, keys []string
	ranges := map[string]*portRange{}
	for _, p := range sorted {
		if p.HostIP != "" && p.Public != p.Private {
			host := net.JoinHostPort(p.HostIP, strconv.Itoa(int(p.Public)))
			remapped = append(remapped, fmt.Sprintf("%s->%d/%s", host, p.Private, p.Protocol))
			continue
		}
		key := p.HostIP + "/" + p.Protocol
		r, ok := ranges[key]
		switch {
		case !ok:
			ranges[key] = &portRange{hostIP: p.HostIP, protocol: p.Protocol, first: p.Private, last: p.Private}
			keys = append(keys, key)
		case p.Private == r.last+1:
			r.last = p.Private
		default: // a gap: the range so far is done, a new one starts
			out = append(out, r.String())
			r.first, r.last = p.Private, p.Private
		}
	}
	for _, k := range keys {
		out = append(out, ranges[k].String())
	}
	return strings.Join(append(out, remapped...), ", ")
}

// portRange is consecutive ports with one host IP ("" when only exposed)
// and protocol, each published on its own number.
type portRange struct {
	hostIP, protocol string
	first, last      uint16
}

func (r *portRange) String() string {
	nums := strconv.Itoa(int(r.first))
	if r.last != r.first {
		nums += "-" + strconv.Itoa(int(r.last))
	}
	if r.hostIP != "" {
		nums = net.JoinHostPort(r.hostIP, nums) + "->" + nums
	}
	return nums + "/" + r.protocol
}

// compareIPs orders host IPs as addresses (9.0.0.1 before 10.0.0.1), and
// "" (not published) first.
func compareIPs(a, b string) int {
	x, errA := netip.ParseAddr(a)
	y, errB := netip.ParseAddr(b)
	if errA != nil || errB != nil {
		return cmp.Compare(a, b)
	}
	return x.Compare(y)
}

// displayCommand is the COMMAND column: quoted, and cut to 20 characters
// (the last an ellipsis) unless --no-trunc.
func displayCommand(command string, noTrunc bool) string {
	if r := []rune(command); !noTrunc && len(r) > 20 {
		command = string(r[:19]) + "…"
	}
	return strconv.Quote(command)
}

var (
	healthInStatus = regexp.MustCompile(`\((healthy|unhealthy|health: starting)\)`)
	exitInStatus   = regexp.MustCompile(`^Exited \((\d+)\)`)
)

// healthOf reads the health the engine writes into a list's status text:
// "Up 3 minutes (healthy)" is healthy.
func healthOf(status string) string {
	m := healthInStatus.FindStringSubmatch(status)
	if m == nil {
		return ""
	}
	return strings.TrimPrefix(m[1], "health: ")
}

// exitCodeOf reads the exit code from "Exited (3) 2 seconds ago"; 0 otherwise.
func exitCodeOf(status string) int {
	m := exitInStatus.FindStringSubmatch(status)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// publisher is one port in ps --format json, in docker compose's form.
type publisher struct {
	URL           string `json:"URL"`
	TargetPort    uint16 `json:"TargetPort"`
	PublishedPort uint16 `json:"PublishedPort"`
	Protocol      string `json:"Protocol"`
}

func publishers(ports []engine.Port) []publisher {
	out := []publisher{}
	for _, p := range ports {
		out = append(out, publisher{URL: p.HostIP, TargetPort: p.Private, PublishedPort: p.Public, Protocol: p.Protocol})
	}
	slices.SortFunc(out, func(a, b publisher) int {
		return cmp.Or(cmp.Compare(a.TargetPort, b.TargetPort), compareIPs(a.URL, b.URL), cmp.Compare(a.Protocol, b.Protocol))
	})
	return out
}
