// Package bench generates compose projects for benchmarks: realistic
// multi-file projects of a chosen size that both berth and docker compose
// can load, written deterministically so that runs compare like with like.
// It depends on nothing in berth, so any package's tests can import it.
package bench
