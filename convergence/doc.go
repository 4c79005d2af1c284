// Package convergence brings the engine to the state a project describes:
// observe what exists, plan the difference, apply the plan.
package convergence
