//go:build race

package cluster_test

// Under -race, the binary the tests run is built with the race detector too.
func init() { buildFlags = append(buildFlags, "-race") }
