package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// ListTasks lists every task the swarm keeps for the service serviceID
// (an id or a name), newest first; tasks made in the same instant come
// in id order, so the list is stable.
func (c *Client) ListTasks(ctx context.Context, serviceID string) ([]swarm.Task, error) {
	args := client.Filters{}
	args.Add("service", serviceID)
	res, err := c.api.TaskList(ctx, client.TaskListOptions{Filters: args})
	if err != nil {
		return nil, fmt.Errorf("listing the tasks of service %s: %w", serviceID, err)
	}
	tasks := res.Items
	slices.SortFunc(tasks, newestTaskFirst)
	return tasks, nil
}

func newestTaskFirst(a, b swarm.Task) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
}

// TaskLogs returns the last tail lines (all when tail < 0) of one task's
// output, stdout and stderr interleaved as written.
func (c *Client) TaskLogs(ctx context.Context, taskID string, tail int) (string, error) {
	fail := func(err error) error { return fmt.Errorf("reading the logs of task %s: %w", taskID, err) }
	task, err := c.api.TaskInspect(ctx, taskID, client.TaskInspectOptions{})
	if err != nil {
		return "", fail(err)
	}
	rc, err := c.api.TaskLogs(ctx, taskID, client.TaskLogsOptions{ShowStdout: true, ShowStderr: true, Tail: tailParam(tail)})
	if err != nil {
		return "", fail(err)
	}
	defer rc.Close()
	var b strings.Builder
	if err := copyLogs(&b, &b, rc, hasTaskTTY(task.Task.Spec)); err != nil {
		return "", fail(err)
	}
	return b.String(), nil
}

// errServiceLogsUntil refuses what the engine cannot do: its service logs
// have no "until", and the client library drops the field without a word.
var errServiceLogsUntil = errors.New("the engine cannot end a service's logs at a time (until); only since is supported")

// StreamServiceLogs copies the output of every task of a service, its
// tasks' stdout to stdout and stderr to stderr, to the end of what the
// engine has, or with opts.Follow until ctx ends (it then returns
// ctx.Err()). Lines of different tasks are interleaved as the engine
// sends them, without saying which task wrote which.
func (c *Client) StreamServiceLogs(ctx context.Context, serviceID string, opts LogOptions, stdout, stderr io.Writer) error {
	fail := func(err error) error { return fmt.Errorf("reading the logs of service %s: %w", serviceID, err) }
	if opts.Until != "" {
		return fail(errServiceLogsUntil)
	}
	svc, err := c.InspectService(ctx, serviceID)
	if err != nil {
		return err
	}
	rc, err := c.api.ServiceLogs(ctx, serviceID, client.ServiceLogsOptions{
		ShowStdout: true, ShowStderr: true,
		Follow: opts.Follow, Tail: tailParam(opts.Tail),
		Since: opts.Since, Timestamps: opts.Timestamps,
	})
	if err != nil {
		return fail(err)
	}
	defer rc.Close()
	if err := copyLogs(stdout, stderr, rc, hasTaskTTY(svc.Spec.TaskTemplate)); err != nil && ctx.Err() == nil {
		return fail(err)
	}
	return ctx.Err()
}

// hasTaskTTY says how a task's logs are framed: as a container's are, raw
// with a TTY and multiplexed without one.
func hasTaskTTY(spec swarm.TaskSpec) bool {
	return spec.ContainerSpec != nil && spec.ContainerSpec.TTY
}
