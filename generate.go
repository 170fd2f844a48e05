package main

//go:generate go tool gqlgen generate --config gqlgen.yml
//go:generate go run ./internal/gqlpatch graph/generated.go
//go:generate go tool gqlgen generate --config gqlgen.subgraph.yml
