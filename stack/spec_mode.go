package stack

import (
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"
)

// mode is deploy.mode: how many tasks, and whether they run once or stay
// up. replicas (or scale, which compose-go keeps equal to it) counts the
// tasks of a replicated service, and the completions of a replicated job,
// all of which may run at once.
func (b *serviceBuilder) mode() (swarm.ServiceMode, error) {
	mode := ""
	if b.s.Deploy != nil {
		mode = b.s.Deploy.Mode
	}
	replicas := uint64(max(b.s.GetScale(), 0))
	switch mode {
	case "", "replicated":
		return swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}}, nil
	case "replicated-job":
		concurrent := replicas
		return swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{MaxConcurrent: &concurrent, TotalCompletions: &replicas}}, nil
	case "global", "global-job":
		if b.replicasSet() {
			return swarm.ServiceMode{}, b.fail("deploy.replicas", "cannot be used with mode %s, which runs one task on each node; remove replicas (and scale), or use a replicated mode", mode)
		}
		if mode == "global" {
			return swarm.ServiceMode{Global: &swarm.GlobalService{}}, nil
		}
		return swarm.ServiceMode{GlobalJob: &swarm.GlobalJob{}}, nil
	}
	return swarm.ServiceMode{}, b.fail("deploy.mode", "%q is not a mode; use replicated, global, replicated-job or global-job", mode)
}

func (b *serviceBuilder) replicasSet() bool {
	return b.s.Scale != nil || b.s.Deploy != nil && b.s.Deploy.Replicas != nil
}

// updateConfigs are deploy.update_config and deploy.rollback_config. A
// job is never updated in place (the manager refuses the config, found on
// Engine 20.10: "Jobs may not have an update config"), so a job drops them.
func (b *serviceBuilder) updateConfigs(mode swarm.ServiceMode) (update, rollback *swarm.UpdateConfig, err error) {
	d := b.s.Deploy
	if d == nil || d.UpdateConfig == nil && d.RollbackConfig == nil {
		return nil, nil, nil
	}
	if mode.ReplicatedJob != nil || mode.GlobalJob != nil {
		if d.UpdateConfig != nil {
			b.warn("deploy.update_config", "is ignored: Swarm runs a job to completion and never updates it in place")
		}
		if d.RollbackConfig != nil {
			b.warn("deploy.rollback_config", "is ignored: Swarm runs a job to completion and never rolls it back")
		}
		return nil, nil, nil
	}
	if update, err = b.updateConfig("deploy.update_config", d.UpdateConfig); err != nil {
		return nil, nil, err
	}
	if rollback, err = b.updateConfig("deploy.rollback_config", d.RollbackConfig); err != nil {
		return nil, nil, err
	}
	return update, rollback, nil
}

// updateConfig translates one section. Its parallelism defaults to 1, as
// in docker stack and swarm itself: the API reads 0 as "all at once", which
// a section that leaves parallelism out does not mean.
func (b *serviceBuilder) updateConfig(attribute string, c *types.UpdateConfig) (*swarm.UpdateConfig, error) {
	if c == nil {
		return nil, nil
	}
	out := &swarm.UpdateConfig{
		Parallelism:     1,
		Delay:           time.Duration(c.Delay),
		FailureAction:   swarm.FailureAction(c.FailureAction),
		Monitor:         time.Duration(c.Monitor),
		MaxFailureRatio: c.MaxFailureRatio,
		Order:           swarm.UpdateOrder(c.Order),
	}
	if c.Parallelism != nil {
		out.Parallelism = *c.Parallelism
	}
	switch out.FailureAction {
	case "", swarm.UpdateFailureActionPause, swarm.UpdateFailureActionContinue, swarm.UpdateFailureActionRollback:
	default:
		return nil, b.fail(attribute+".failure_action", "%q is not an action; use pause, continue or rollback", c.FailureAction)
	}
	switch out.Order {
	case "", swarm.UpdateOrderStopFirst, swarm.UpdateOrderStartFirst:
	default:
		return nil, b.fail(attribute+".order", "%q is not an order; use stop-first or start-first", c.Order)
	}
	return out, nil
}
