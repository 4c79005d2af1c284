// Command benchgen writes a generated benchmark project and prints the files
// to pass with -f, one per line:
//
//	go run ./bench/benchgen -n 200 DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/berth-compose/berth/bench"
)

func main() {
	n := flag.Int("n", 200, "number of services")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: benchgen [-n N] DIR\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := bench.WriteLoadProject(flag.Arg(0), *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f)
	}
}
