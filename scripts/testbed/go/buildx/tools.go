//go:build tools

// Keeps the command we build in this module's dependency graph (go mod tidy).
package tools

import _ "github.com/docker/buildx/cmd/buildx"
