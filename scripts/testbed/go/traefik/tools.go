//go:build tools

// Keeps the command we build in this module's dependency graph (go mod tidy).
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
