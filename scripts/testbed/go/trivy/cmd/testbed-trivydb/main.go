// testbed-trivydb builds a small but real Trivy vulnerability DB (schema 2, written by
// trivy-db's own vulndb pipeline) from advisories we author, and pushes it to a registry
// as the OCI artifact Trivy downloads with --db-repository. The public DB is unreachable
// offline; this keeps `trivy image` honest against a DB of the same format.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulndb"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/bucket"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	ggcrtypes "github.com/google/go-containerregistry/pkg/v1/types"
	bolt "go.etcd.io/bbolt"
)

// The media types Trivy's DB client expects (trivy pkg/db).
const (
	dbLayerMediaType  = "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip"
	dbConfigMediaType = "application/vnd.aquasec.trivy.config.v1+json"
)

// advisory is one authored finding: a Debian source package, the release it applies to,
// and the first fixed version ("" = no fix yet, as Debian's tracker reports it).
type advisory struct {
	ID           string `json:"id"`
	Package      string `json:"package"`
	Release      string `json:"release"`
	Severity     string `json:"severity"`
	FixedVersion string `json:"fixedVersion"`
	Title        string `json:"title"`
	Description  string `json:"description"`
}

// authoredSource feeds our advisories through the same puts Debian's vulnsrc makes, so the
// resulting buckets are exactly what Trivy's Debian detector reads.
type authoredSource struct {
	dbc        db.Config
	advisories []advisory
}

var debianSource = types.DataSource{
	ID:   "debian",
	Name: "Debian Security Tracker (Gantry testbed, authored)",
	URL:  "https://salsa.debian.org/security-tracker-team/security-tracker",
}

func (authoredSource) Name() types.SourceID { return "debian" }

func (s authoredSource) Update(string) error {
	return s.dbc.BatchUpdate(func(tx *bolt.Tx) error {
		for _, a := range s.advisories {
			sev, err := types.NewSeverity(a.Severity)
			if err != nil {
				return fmt.Errorf("%s: %w", a.ID, err)
			}
			platform := bucket.NewDebian(a.Release).Name()
			detail := types.Advisory{Severity: sev, FixedVersion: a.FixedVersion}
			if a.FixedVersion == "" {
				detail.Status = types.StatusAffected
			}
			if err := s.dbc.PutAdvisoryDetail(tx, a.ID, a.Package, []string{platform}, detail); err != nil {
				return err
			}
			vuln := types.VulnerabilityDetail{Severity: sev, Title: a.Title, Description: a.Description}
			if err := s.dbc.PutVulnerabilityDetail(tx, a.ID, debianSource.ID, vuln); err != nil {
				return err
			}
			if err := s.dbc.PutVulnerabilityID(tx, a.ID); err != nil {
				return err
			}
			if err := s.dbc.PutDataSource(tx, platform, debianSource); err != nil {
				return err
			}
		}
		return nil
	})
}

func main() {
	advisoriesPath := flag.String("advisories", "", "JSON file with the authored advisories")
	outDir := flag.String("out", "", "directory for trivy.db, metadata.json and db.tar.gz")
	push := flag.String("push", "", "registry reference to push the DB artifact to (e.g. 127.0.0.1:5000/trivy-db:2)")
	flag.Parse()
	if *advisoriesPath == "" || *outDir == "" {
		log.Fatal("usage: testbed-trivydb -advisories FILE -out DIR [-push REF]")
	}

	raw, err := os.ReadFile(*advisoriesPath)
	if err != nil {
		log.Fatal(err)
	}
	var advisories []advisory
	if err := json.Unmarshal(raw, &advisories); err != nil {
		log.Fatalf("%s: %v", *advisoriesPath, err)
	}

	if err := os.RemoveAll(*outDir); err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		log.Fatal(err)
	}
	if err := db.Init(*outDir); err != nil {
		log.Fatal(err)
	}
	src := authoredSource{dbc: db.Config{}, advisories: advisories}
	// A long update interval: Trivy re-downloads once NextUpdate has passed, and the
	// authored DB never changes between runs of the same advisories file.
	tdb := vulndb.New(*outDir, *outDir, 10*365*24*time.Hour,
		vulndb.WithVulnSrcs(map[types.SourceID]vulnsrc.VulnSrc{src.Name(): src}))
	if err := tdb.Build([]string{string(src.Name())}); err != nil {
		log.Fatal(err)
	}
	if err := db.Close(); err != nil {
		log.Fatal(err)
	}

	archive, err := tarGz(*outDir, "trivy.db", "metadata.json")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*outDir, "db.tar.gz"), archive, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("built %d advisories into %s", len(advisories), *outDir)

	if *push != "" {
		digest, err := pushArtifact(*push, archive)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("pushed %s@%s", *push, digest)
	}
}

func tarGz(dir string, files ...string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		content, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		hdr := &tar.Header{Name: f, Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := io.Copy(tw, bytes.NewReader(content)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pushArtifact publishes the archive the way the official DB is published: an OCI
// manifest with Trivy's config media type and one layer titled db.tar.gz.
func pushArtifact(ref string, archive []byte) (v1.Hash, error) {
	tag, err := name.ParseReference(ref)
	if err != nil {
		return v1.Hash{}, err
	}
	img := mutate.MediaType(empty.Image, ggcrtypes.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, dbConfigMediaType)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:       static.NewLayer(archive, dbLayerMediaType),
		Annotations: map[string]string{"org.opencontainers.image.title": "db.tar.gz"},
	})
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Write(tag, img); err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}
