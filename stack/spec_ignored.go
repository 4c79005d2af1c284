package stack

// ignoredBy says why Swarm leaves an attribute out, read after "is ignored
// by Swarm: ".
type ignoredBy struct {
	attribute string
	set       func(b *serviceBuilder) bool
	reason    string
}

// ignored lists the service attributes a swarm service has no field for.
// Those handled around the deploy (depends_on, which berth orders by;
// profiles; env_file and label_file, merged in by compose-go) and those
// that change nothing (expose) are not here.
var ignored = []ignoredBy{
	{"container_name", func(b *serviceBuilder) bool { return b.s.ContainerName != "" }, "tasks are named by the swarm"},
	{"links", func(b *serviceBuilder) bool { return len(b.s.Links) > 0 }, "services on a shared network reach each other by service name"},
	{"external_links", func(b *serviceBuilder) bool { return len(b.s.ExternalLinks) > 0 }, "attach the service to the other's network and use its name"},
	{"privileged", func(b *serviceBuilder) bool { return b.s.Privileged }, "a service cannot run privileged; grant only what it needs with cap_add"},
	{"devices", func(b *serviceBuilder) bool { return len(b.s.Devices) > 0 }, "a service cannot map host devices"},
	{"device_cgroup_rules", func(b *serviceBuilder) bool { return len(b.s.DeviceCgroupRules) > 0 }, "a service cannot map host devices"},
	{"gpus", func(b *serviceBuilder) bool { return len(b.s.Gpus) > 0 }, "a service cannot request devices"},
	{"cgroup_parent", func(b *serviceBuilder) bool { return b.s.CgroupParent != "" }, "the node places task cgroups itself"},
	{"cgroup", func(b *serviceBuilder) bool { return b.s.Cgroup != "" }, "tasks get the node's default cgroup namespace"},
	{"pid", func(b *serviceBuilder) bool { return b.s.Pid != "" }, "tasks get their own process namespace"},
	{"ipc", func(b *serviceBuilder) bool { return b.s.Ipc != "" }, "tasks get their own IPC namespace"},
	{"uts", func(b *serviceBuilder) bool { return b.s.Uts != "" }, "tasks get their own UTS namespace"},
	{"userns_mode", func(b *serviceBuilder) bool { return b.s.UserNSMode != "" }, "tasks use the node's user namespace setting"},
	{"security_opt", func(b *serviceBuilder) bool { return len(b.s.SecurityOpt) > 0 }, "berth does not carry security options to a service's privileges"},
	{"shm_size", func(b *serviceBuilder) bool { return b.s.ShmSize != 0 }, "mount a tmpfs at /dev/shm with the size instead"},
	{"volumes_from", func(b *serviceBuilder) bool { return len(b.s.VolumesFrom) > 0 }, "tasks cannot share another's volumes; mount the same named volume in both services"},
	{"domainname", func(b *serviceBuilder) bool { return b.s.DomainName != "" }, "a service sets only its hostname"},
	{"runtime", func(b *serviceBuilder) bool { return b.s.Runtime != "" }, "tasks run with the node's default runtime"},
	{"storage_opt", func(b *serviceBuilder) bool { return len(b.s.StorageOpt) > 0 }, "tasks use the node's storage settings"},
	{"annotations", func(b *serviceBuilder) bool { return len(b.s.Annotations) > 0 }, "a service has no container annotations"},
	{"umask", func(b *serviceBuilder) bool { return b.s.Umask != nil }, "a service cannot set the umask"},
	{"use_api_socket", func(b *serviceBuilder) bool { return b.s.UseAPISocket }, "berth does not mount the engine socket into tasks"},
	{"models", func(b *serviceBuilder) bool { return len(b.s.Models) > 0 }, "berth does not run Docker Model Runner models"},
	{"provider", func(b *serviceBuilder) bool { return b.s.Provider != nil }, "berth does not run provider plugins"},
	{"pre_start", func(b *serviceBuilder) bool { return len(b.s.PreStart) > 0 }, "berth runs no lifecycle hooks on Swarm"},
	{"post_start", func(b *serviceBuilder) bool { return len(b.s.PostStart) > 0 }, "berth runs no lifecycle hooks on Swarm"},
	{"pre_stop", func(b *serviceBuilder) bool { return len(b.s.PreStop) > 0 }, "berth runs no lifecycle hooks on Swarm"},
}

// onlyLimits is why the cgroup settings in ignoredResources are ignored.
const onlyLimits = "a service limits only cpus, memory and pids (deploy.resources.limits)"

// ignoredResources are the cgroup settings beyond what a service limits.
var ignoredResources = []ignoredBy{
	{"cpu_count", func(b *serviceBuilder) bool { return b.s.CPUCount != 0 }, onlyLimits},
	{"cpu_percent", func(b *serviceBuilder) bool { return b.s.CPUPercent != 0 }, onlyLimits},
	{"cpu_period", func(b *serviceBuilder) bool { return b.s.CPUPeriod != 0 }, onlyLimits},
	{"cpu_quota", func(b *serviceBuilder) bool { return b.s.CPUQuota != 0 }, onlyLimits},
	{"cpu_rt_period", func(b *serviceBuilder) bool { return b.s.CPURTPeriod != 0 }, onlyLimits},
	{"cpu_rt_runtime", func(b *serviceBuilder) bool { return b.s.CPURTRuntime != 0 }, onlyLimits},
	{"cpu_shares", func(b *serviceBuilder) bool { return b.s.CPUShares != 0 }, onlyLimits},
	{"cpuset", func(b *serviceBuilder) bool { return b.s.CPUSet != "" }, onlyLimits},
	{"memswap_limit", func(b *serviceBuilder) bool { return b.s.MemSwapLimit != 0 }, onlyLimits},
	{"mem_swappiness", func(b *serviceBuilder) bool { return b.s.MemSwappiness != 0 }, onlyLimits},
	{"oom_kill_disable", func(b *serviceBuilder) bool { return b.s.OomKillDisable }, onlyLimits},
	{"blkio_config", func(b *serviceBuilder) bool { return b.s.BlkioConfig != nil }, onlyLimits},
}

// warnIgnored warns about each attribute of the lists the service sets.
func (b *serviceBuilder) warnIgnored() {
	for _, list := range [][]ignoredBy{ignored, ignoredResources} {
		for _, a := range list {
			if a.set(b) {
				b.warn(a.attribute, "is ignored by Swarm: %s", a.reason)
			}
		}
	}
}
