//go:build tools

// Keeps the commands we build in this module's dependency graph (go mod tidy).
package tools

import (
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
)
