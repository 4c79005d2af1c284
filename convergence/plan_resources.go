package convergence

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// network plans network key and returns the ID its users wait for.
func (u *upPlanner) network(key string) (ActionID, error) {
	n, ok := u.p.Networks[key]
	if !ok {
		return "", fmt.Errorf("network %q is not defined", key)
	}
	got, exists := u.o.Networks[n.Name]
	switch {
	case exists && bool(n.External):
		return "", nil // someone else's: its configuration is theirs
	case bool(n.External):
		return "", fmt.Errorf("external network %s does not exist: create it (docker network create %s), or drop external: true so berth makes it", n.Name, n.Name)
	}
	reason := "missing"
	if exists {
		changed, err := u.changed("network", n.Name, got.Labels, func() (string, error) { return NetworkHash(n) })
		if err != nil || !changed {
			return "", err
		}
		reason = "configuration changed"
	}
	spec, err := NetworkSpecFor(u.p.Name, key, n, u.opts.Version)
	if err != nil {
		return "", err
	}
	u.warn(NetworkSpecWarnings(key, n)...)
	create := Action{Kind: CreateNetwork, Resource: n.Name, Network: &spec, Reason: reason}
	if exists && !u.b.has(RemoveNetwork.ID(n.Name)) {
		// As docker compose does: the network is made again, and its
		// containers are disconnected before and reconnected after.
		rm := u.b.add(Action{Kind: RemoveNetwork, Resource: n.Name, Target: got.ID, Reason: reason})
		create.After = []ActionID{rm.ID}
		u.networksMadeAgain = append(u.networksMadeAgain, n.Name)
	}
	return u.b.add(create).ID, nil
}

// reconnect plans, for each network made again, the disconnection of every
// container attached to it before its removal; the containers this plan
// does not replace are stopped first, then reconnected and started again
// (not recreated: their configuration did not change).
func (u *upPlanner) reconnect() error {
	for _, net := range u.networksMadeAgain {
		reason := "network " + net + " is made again"
		for _, c := range u.o.Containers {
			if !slices.Contains(c.Networks, net) {
				continue
			}
			if final, ok := u.finalNames[c.ID]; ok {
				c.Name = final // renamed first by finishRecreates
			}
			svc := c.Labels[LabelService]
			disc := u.b.add(Action{ID: DisconnectNetwork.ID(c.Name + ":" + net), Kind: DisconnectNetwork, Resource: net,
				Target: c.ID, ContainerName: c.Name, Service: svc, Reason: reason})
			u.b.wait(RemoveNetwork.ID(net), disc.ID)
			if u.removes(c) {
				u.b.wait(RemoveContainer.ID(c.Name), disc.ID)
				continue
			}
			wasRunning := u.b.stop(c, svc, reason, []ActionID{u.renamed[c.Name]})
			u.b.wait(disc.ID, wasRunning, u.renamed[c.Name])
			ep, err := u.endpoint(c, net)
			if err != nil {
				return err
			}
			conn := u.b.add(Action{ID: ConnectNetwork.ID(c.Name + ":" + net), Kind: ConnectNetwork, Resource: net, Target: c.ID,
				ContainerName: c.Name, Service: svc, Endpoint: &ep, After: []ActionID{CreateNetwork.ID(net)}, Reason: reason})
			if wasRunning != "" || u.b.has(StartContainer.ID(c.Name)) {
				u.b.add(Action{ID: StartContainer.ID(c.Name), Kind: StartContainer, Resource: c.Name, Service: svc, Target: c.ID,
					After: []ActionID{conn.ID}, Reason: reason})
			}
		}
	}
	return nil
}

// removes reports whether the plan removes container c (a recreate, a
// scale down, an orphan).
func (u *upPlanner) removes(c engine.Container) bool {
	a, ok := u.b.actions[RemoveContainer.ID(c.Name)]
	return ok && a.Target == c.ID
}

// endpoint is what c is reconnected to net with: its service's endpoint
// there, as a create would set it.
// An orphan, or a container of a service no longer on that network, gets
// its name as its only alias.
func (u *upPlanner) endpoint(c engine.Container, net string) (engine.EndpointSpec, error) {
	bare := engine.EndpointSpec{Aliases: []string{c.Name}}
	s, ok := u.p.Services[c.Labels[LabelService]]
	if !ok || u.opts.Spec == nil {
		return bare, nil
	}
	var n int
	fmt.Sscan(c.Labels[LabelContainerNumber], &n)
	res, err := u.opts.Spec(s, n, c.Name, nil)
	if err != nil {
		return bare, fmt.Errorf("reconnecting %s to %s: %w", c.Name, net, err)
	}
	if ep, found := res.Endpoints[net]; found {
		return ep, nil
	}
	return bare, nil
}

// volume plans volume key and returns the ID its users wait for.
func (u *upPlanner) volume(key string) (ActionID, error) {
	v, ok := u.p.Volumes[key]
	if !ok {
		return "", fmt.Errorf("volume %q is not defined", key)
	}
	got, exists := u.o.Volumes[v.Name]
	switch {
	case exists && bool(v.External):
		return "", nil
	case bool(v.External):
		return "", fmt.Errorf("external volume %s does not exist: create it (docker volume create %s), or drop external: true so berth makes it", v.Name, v.Name)
	}
	reason := "missing"
	if exists {
		changed, err := u.changed("volume", v.Name, got.Labels, func() (string, error) { return VolumeHash(v) })
		if err != nil || !changed || !u.recreateVolume(v.Name) {
			return "", err
		}
		reason = "configuration changed"
	}
	spec := VolumeSpecFor(u.p.Name, key, v, u.opts.Version)
	create := Action{Kind: CreateVolume, Resource: v.Name, Volume: &spec, Reason: reason}
	if exists {
		rm := u.b.add(Action{Kind: RemoveVolume, Resource: v.Name, Target: v.Name, Reason: reason})
		create.After = []ActionID{rm.ID}
	}
	return u.b.add(create).ID, nil
}

// recreateVolume asks, once per volume, whether to make a changed volume
// again, losing its data. Without a yes the volume is kept as it is, with a
// warning saying how to recreate it, and up goes on.
func (u *upPlanner) recreateVolume(name string) bool {
	if made, asked := u.volumesMadeAgain[name]; asked {
		return made
	}
	yes := u.opts.Confirm != nil &&
		u.opts.Confirm(fmt.Sprintf("Volume %s exists with a configuration other than the compose file's. Recreate it? Its data will be lost.", name))
	u.volumesMadeAgain[name] = yes
	if !yes {
		u.warn(fmt.Sprintf("volume %s exists with a configuration other than the compose file's; it is kept as it is, data included. "+
			"To make it again from the file, run up with -y (its data is lost), or remove it with `docker volume rm %s`", name, name))
	}
	return yes
}

// mountsVolumeMadeAgain names the volume made again that c mounts, "" if
// none.
func (u *upPlanner) mountsVolumeMadeAgain(c engine.Container) string {
	for _, m := range c.Mounts {
		if m.Type == "volume" && u.volumesMadeAgain[m.Name] {
			return m.Name
		}
	}
	return ""
}

// releaseVolumes makes every volume made again wait for the removal of the
// containers that mount it. A container the plan keeps (a service not
// brought up) would hold the volume: that is an error, before anything runs.
func (u *upPlanner) releaseVolumes() error {
	var held []string
	for _, c := range u.o.Containers {
		v := u.mountsVolumeMadeAgain(c)
		if v == "" {
			continue
		}
		if !u.removes(c) {
			held = append(held, c.Name+" uses volume "+v)
			continue
		}
		u.b.wait(RemoveVolume.ID(v), RemoveContainer.ID(c.Name))
	}
	if len(held) > 0 {
		sort.Strings(held)
		return fmt.Errorf("cannot recreate the volume: %s, and this up keeps that container (a service not named, or --no-recreate); "+
			"run up for the whole project, without --no-recreate, or answer no to keep the volume", strings.Join(held, "; "))
	}
	return nil
}

// changed compares an existing network's or volume's config-hash label with
// the file. One made by hand, without berth's or compose's labels, is
// reused with a warning, as docker compose does.
func (u *upPlanner) changed(kind, name string, labels map[string]string, hash func() (string, error)) (bool, error) {
	have, ok := labels[LabelConfigHash]
	if !ok {
		if labels[LabelProject] != u.p.Name {
			u.warn(fmt.Sprintf("%s %s exists but was not created for project %q; using it as is", kind, name, u.p.Name))
		}
		return false, nil
	}
	want, err := hash()
	if err != nil {
		return false, err
	}
	return have != want, nil
}
