// Package stats computes and shows the resource use of a project's
// containers, as `berth stats` prints it: CPU, memory, network and block
// I/O and process counts, one row per container, in docker's table, JSON
// or a Go template.
//
// Compute turns one engine reading (engine.StatsSample) into the figures
// shown, by the docker CLI's arithmetic on Linux; it is pure. Format
// renders rows. Run is the command's loop: it lists the containers, reads
// each one's stream of readings on a goroutine of its own, follows the
// engine's events to add containers that start and drop those that stop,
// and writes a table every half second, redrawn in place on a terminal
// and one after the other anywhere else:
//
//	f, err := stats.ParseFormat(format) // before any engine call
//	err = stats.Run(ctx, engine, stats.Options{
//		Project: name, Format: f, Live: onTerminal, Width: w, Height: h,
//	}, out)
//
// With NoStream, Run takes one reading of each container (the engine pairs
// it with one a second earlier, so CPU use is known), prints one table
// and returns.
package stats
