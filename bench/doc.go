// Package bench generates compose projects for benchmarks, written
// deterministically so that runs compare like with like:
//
//   - WriteLoadProject: a realistic multi-file project of a chosen size, for
//     what loading costs (project.BenchmarkLoad200, scripts/bench-config.sh);
//   - Shape and WriteShape: the runtime shapes wide-N, chain-N, fan-N and
//     mixed that scripts/bench.sh brings up on an engine, described once so
//     that the engine floor (bench/floor) builds the very same containers.
//
// It depends on nothing in berth, so any package's tests can import it.
package bench
