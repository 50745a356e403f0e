// Trivy itself plus our small offline-DB tool (cmd/testbed-trivydb). They share one module
// so the DB is written by exactly the trivy-db version this Trivy reads.
module gantry.dev/testbed/trivy

go 1.25

require (
	github.com/aquasecurity/trivy v0.68.2
	github.com/aquasecurity/trivy-db v0.0.0-20250929072116-eba1ced2340a
)
