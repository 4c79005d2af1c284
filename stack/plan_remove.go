package stack

// PlanRemove removes everything of the stack: its services first, then,
// once no service names them, its configs, secrets and networks. Objects
// outside the stack (external ones, other stacks') carry no namespace
// label of it and are never in the snapshot.
func PlanRemove(obs *Observed) *Plan {
	plan := &Plan{Namespace: obs.Namespace}
	var services []string
	for _, key := range sortedKeys(obs.Services) {
		svc := obs.Services[key]
		id := actionID(RemoveService, svc.Spec.Name)
		plan.add(Action{ID: id, Kind: RemoveService, Name: svc.Spec.Name, Service: key, TargetID: svc.ID})
		services = append(services, id)
	}
	for _, c := range obs.Configs {
		plan.add(Action{ID: actionID(RemoveConfig, c.Spec.Name), Kind: RemoveConfig, Name: c.Spec.Name, TargetID: c.ID, After: services})
	}
	for _, s := range obs.Secrets {
		plan.add(Action{ID: actionID(RemoveSecret, s.Spec.Name), Kind: RemoveSecret, Name: s.Spec.Name, TargetID: s.ID, After: services})
	}
	for _, n := range obs.Networks {
		plan.add(Action{ID: actionID(RemoveNetwork, n.Name), Kind: RemoveNetwork, Name: n.Name, TargetID: n.ID, After: services})
	}
	return plan
}
