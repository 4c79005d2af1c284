// Command benchgen writes a generated benchmark project and prints the files
// to pass with -f, one per line:
//
//	go run ./bench/benchgen -n 200 DIR              # the load project (four files, .env)
//	go run ./bench/benchgen -shape chain -n 50 DIR  # a runtime shape: wide, chain, fan, mixed
//
// The runtime shapes are what scripts/bench.sh brings up on an engine; the
// load project is what project.BenchmarkLoad200 parses.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/berth-compose/berth/bench"
)

func main() {
	shape := flag.String("shape", "load", "load, or a runtime shape: "+strings.Join(bench.ShapeNames, ", "))
	n := flag.Int("n", -1, "number of services (load: 200 by default; mixed: fixed at 12)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: benchgen [-shape SHAPE] [-n N] DIR\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := write(flag.Arg(0), *shape, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f)
	}
}

func write(dir, shape string, n int) ([]string, error) {
	if shape == "load" {
		if n < 0 {
			n = 200
		}
		return bench.WriteLoadProject(dir, n)
	}
	p, err := bench.Shape(shape, max(n, 0))
	if err != nil {
		return nil, err
	}
	return bench.WriteShape(dir, p)
}
