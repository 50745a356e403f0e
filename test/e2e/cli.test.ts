// The `gantry` CLI on the example service, as a tag v1.2.3 release: tags from semver, a build
// pushed to the testbed registry, a scan that passes, and a rolling deploy pinned to the digest.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO_ROOT, testbedEnv } from '../harness/testbed';

const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'index.js');
const APP = path.join(REPO_ROOT, 'examples', 'hello-go');

/** `key: value` lines the CLI prints for outputs (multi-line values are indented). */
function outputsOf(stdout: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    const pair = /^([a-z-]+): ?(.*)$/.exec(line);
    if (pair) {
      current = pair[1];
      outputs[current] = pair[2];
    } else if (current && line.startsWith('  ')) {
      outputs[current] = [outputs[current], line.slice(2)].filter((v) => v !== '').join('\n');
    } else {
      current = undefined;
    }
  }
  return outputs;
}

describe('gantry CLI on examples/hello-go', () => {
  const testbed = testbedEnv();
  const env = { ...process.env, ...testbed };
  const namespace = `e2e-cli-${Date.now().toString(36)}`;
  const kubectl = (...args: string[]) =>
    spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 120_000 });

  beforeAll(() => {
    expect(kubectl('create', 'namespace', namespace).status).toBe(0);
  });
  afterAll(() => {
    kubectl('delete', 'namespace', namespace, '--wait=false');
  });

  it(
    'releases tag v1.2.3: semver tags, pushed by digest, scanned, deployed pinned',
    async () => {
      // The repository the example manifests name, so the deploy stage pins it.
      const image = `${testbed.REGISTRY}/demo/hello-go`;
      const result = spawnSync(
        process.execPath,
        [
          CLI,
          '--ref',
          'refs/tags/v1.2.3',
          '--repository',
          'acme/hello-go',
          '--stages',
          'meta,build,scan,deploy',
          '--images',
          image,
          '--tags',
          'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}',
          '--context',
          APP,
          '--build-args',
          `BUILDER_IMAGE=${testbed.TESTBED_IMAGE_GOLANG}\nRUNTIME_IMAGE=${testbed.TESTBED_IMAGE_BUSYBOX}`,
          '--push',
          'true',
          '--trivy-db-repository',
          testbed.TRIVY_DB_REPOSITORY,
          '--manifests',
          path.join(APP, 'k8s'),
          '--namespace',
          namespace,
          '--rollout-timeout',
          '90s',
        ],
        { env, encoding: 'utf8', timeout: 8 * 60_000 },
      );
      const outputs = outputsOf(result.stdout);
      expect({
        status: result.status,
        output: result.status === 0 ? '' : result.stdout.slice(-3000) + result.stderr,
      }).toEqual({ status: 0, output: '' });
      expect(outputs.version).toBe('1.2.3');
      expect(outputs.tags.split('\n').sort()).toEqual(
        [`${image}:1`, `${image}:1.2`, `${image}:1.2.3`, `${image}:latest`].sort(),
      );
      expect(outputs['scan-result']).toBe('passed');
      expect(outputs.rollout).toBe('succeeded');

      // The registry serves tag 1.2.3 at the digest the build reported.
      const [host, ...repo] = image.split('/');
      const response = await fetch(`http://${host}/v2/${repo.join('/')}/manifests/1.2.3`, {
        method: 'HEAD',
        headers: {
          accept: [
            'application/vnd.oci.image.index.v1+json',
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.docker.distribution.manifest.v2+json',
            'application/vnd.docker.distribution.manifest.list.v2+json',
          ].join(', '),
        },
      });
      expect(response.headers.get('docker-content-digest')).toBe(outputs.digest);

      // The cluster runs exactly that digest.
      const deployed = kubectl(
        '-n',
        namespace,
        'get',
        'deployment',
        'hello-go',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      );
      expect(deployed.stdout).toBe(`${image}@${outputs.digest}`);
    },
    9 * 60_000,
  );
});
