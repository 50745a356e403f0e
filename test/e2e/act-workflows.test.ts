// Workflows under a real workflow runner (nektos/act, on this machine, offline), as a user runs
// them: one per peer action with that action's README example `with:` block pasted unchanged
// into Gantry's `uses: ./` step, and the five workflows of Gantry's own README. Only what
// points at the outside world is changed, each change marked `# testbed:`: image names get the
// testbed registry, namespaces are unique, the vulnerability DB is the testbed's.
//
// Stand-ins (act cannot fetch actions offline): `actions/checkout` is act's built-in local
// checkout (it copies this repository, fetching nothing); every other action is replaced by a
// local composite action doing the equivalent on the testbed, defined in STAND_INS below.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { GitHubApiStub } from '../harness/github-api';
import { startJudge } from '../harness/judge';
import { makeRepository, runWorkflow, type StandIn, type WorkflowResult } from '../harness/act';
import { testbedEnv } from '../harness/testbed';

jest.setTimeout(15 * 60_000);

const env = testbedEnv();
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const REGISTRY = env.REGISTRY;
const kubectl = (...args: string[]) =>
  spawnSync('kubectl', args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
const namespaces: string[] = [];

function newNamespace(name: string): string {
  const namespace = `act-${name}-${RUN}`.slice(0, 63).replace(/-$/, '');
  expect(kubectl('create', 'namespace', namespace).status).toBe(0);
  namespaces.push(namespace);
  return namespace;
}

afterAll(() => {
  for (const namespace of namespaces) kubectl('delete', 'namespace', namespace, '--wait=false');
});

/** The runner machine: its tools on PATH and its Docker engine (as /var/run/docker.sock is). */
const MACHINE = { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST };

const STAND_INS: Record<string, StandIn> = {
  'docker/login-action': {
    description: 'The testbed registry needs no login: check that it answers, as a login would.',
    inputs: ['registry', 'username', 'password'],
    run: `curl -fsS -o /dev/null http://${REGISTRY}/v2/ && echo "registry ${REGISTRY} answers"`,
  },
  'docker/setup-qemu-action': {
    description: 'The examples build one platform: nothing to emulate.',
    run: 'echo "single-platform build: no emulation needed"',
  },
  'docker/setup-buildx-action': {
    description: "Selects the testbed's buildx builder for the next steps, as setup-buildx does.",
    run: [
      `echo "BUILDX_BUILDER=${env.BUILDX_BUILDER}" >> "$GITHUB_ENV"`,
      `docker buildx inspect ${env.BUILDX_BUILDER} >/dev/null`,
    ].join('\n'),
  },
  'azure/setup-kubectl': {
    description: "Puts the testbed's kubectl on PATH.",
    run: `echo "${env.TESTBED_BIN}" >> "$GITHUB_PATH"`,
  },
  'azure/k8s-set-context': {
    description: 'Writes the kubeconfig input to a file and points KUBECONFIG at it.',
    inputs: ['kubeconfig'],
    run: [
      'file="$RUNNER_TEMP/kubeconfig"',
      `printf '%s' "\${{ inputs.kubeconfig }}" > "$file"`,
      'echo "KUBECONFIG=$file" >> "$GITHUB_ENV"',
    ].join('\n'),
  },
  'github/codeql-action/upload-sarif': {
    description: 'Checks the SARIF file parses and has a run, instead of uploading it.',
    inputs: ['sarif_file'],
    run: `jq -e '.runs | length > 0' "\${{ inputs.sarif_file }}" && echo "SARIF ok"`,
  },
};

/** The kubeconfig secret: the testbed's, with its files inlined so it travels as text. */
function kubeconfigSecret(): string {
  const result = kubectl('config', 'view', '--raw', '--flatten', '--kubeconfig', env.KUBECONFIG);
  expect(result.status).toBe(0);
  return result.stdout;
}

const DOCKERFILE = `FROM ${env.TESTBED_IMAGE_BUSYBOX}\nCOPY hello.txt /hello.txt\n`;

function deployment(name: string, image: string, replicas = 2): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${name} }`,
    'spec:',
    `  replicas: ${replicas}`,
    `  selector: { matchLabels: { app: ${name} } }`,
    '  template:',
    `    metadata: { labels: { app: ${name} } }`,
    `    spec: { containers: [{ name: ${name}, image: "${image}" }] }`,
    '',
  ].join('\n');
}

/** The image tags pushed (without `buildcache`, where Gantry's `cache: auto` keeps the cache). */
async function registryTags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${REGISTRY}/v2/${repository}/tags/list`);
  if (response.status === 404) return [];
  const body = (await response.json()) as { tags?: string[] | null };
  return (body.tags ?? []).filter((tag) => tag !== 'buildcache').sort();
}

async function registryDigest(repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`http://${REGISTRY}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: [
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ].join(', '),
    },
  });
  return response.headers.get('docker-content-digest');
}

function liveDeployment(namespace: string, name: string) {
  const result = kubectl('get', `deployment/${name}`, '-n', namespace, '-o', 'json');
  return result.status === 0 ? JSON.parse(result.stdout) : undefined;
}

/** A failure shows what the user would see: Gantry's errors and the end of the log. */
function explain(result: WorkflowResult): string {
  const errors = result.log.split('\n').filter((line) => line.includes('::error::'));
  return `act exit ${result.exitCode}\n${errors.join('\n')}\n--- log tail ---\n${result.log.slice(-3000)}`;
}

function expectJobSucceeded(result: WorkflowResult, job: string): void {
  if (result.jobs[job]?.status !== 'success') throw new Error(explain(result));
  expect(result.exitCode).toBe(0);
}

/** A release job's steps before Gantry's (README workflow 2; 4 and 5 are only Gantry's step). */
const RELEASE_SETUP = `      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@v3
      - uses: docker/login-action@v3
        with:
          registry: ${REGISTRY} # testbed: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - uses: azure/k8s-set-context@v4
        with:
          kubeconfig: \${{ secrets.KUBECONFIG }}
`;

const TRIVY_DB = env.TRIVY_DB_REPOSITORY;

let api: GitHubApiStub;
beforeEach(async () => {
  api = await GitHubApiStub.start();
});
afterEach(async () => {
  await api.stop();
});

/** The workflow run for a push of `ref`, as act runs it on this machine. */
function onPush(
  workspace: string,
  workflow: string,
  ref: string,
  defaultBranch: string,
  secrets?: Record<string, string>,
): Promise<WorkflowResult> {
  return runWorkflow({
    workspace,
    workflow,
    standIns: STAND_INS,
    event: 'push',
    payload: { ref, repository: { default_branch: defaultBranch } },
    api,
    machineEnv: MACHINE,
    secrets,
  });
}

describe('a peer action README example, pasted into Gantry', () => {
  it('docker/metadata-action (Basic): tags for a push to master, built and pushed', async () => {
    const image = `${REGISTRY}/act-meta-${RUN}/app`;
    // The README's job; both docker/metadata-action and docker/build-push-action are Gantry.
    const workflow = `
name: ci
on:
  workflow_dispatch:
  push:
    branches:
      - 'master'
    tags:
      - 'v*'
  pull_request:
    branches:
      - 'master'
jobs:
  docker:
    runs-on: ubuntu-latest
    steps:
      -
        name: Docker meta
        id: meta
        uses: ./
        with:
          images: ${image} # testbed: name/app
      -
        name: Login to DockerHub
        if: github.event_name != 'pull_request'
        uses: docker/login-action@v4
        with:
          username: \${{ secrets.DOCKERHUB_USERNAME }}
          password: \${{ secrets.DOCKERHUB_TOKEN }}
      -
        name: Build and push
        uses: ./
        with:
          push: \${{ github.event_name != 'pull_request' }}
          tags: \${{ steps.meta.outputs.tags }}
          labels: \${{ steps.meta.outputs.labels }}
`;
    const workspace = makeRepository(
      'meta',
      { Dockerfile: DOCKERFILE, 'hello.txt': 'hi\n' },
      'master',
    );
    const result = await onPush(workspace, workflow, 'refs/heads/master', 'master');
    expectJobSucceeded(result, 'docker');
    // The README's table: a push to master is tagged `master`.
    expect(result.jobs.docker.steps.meta.outputs.tags).toBe(`${image}:master`);
    expect(result.jobs.docker.steps.meta.outputs.labels).toContain(
      'org.opencontainers.image.source=https://github.com/acme/app',
    );
    expect(await registryTags(`act-meta-${RUN}/app`)).toEqual(['master']);
  });

  it('docker/build-push-action (Git context): pushes user/app:latest', async () => {
    const repository = `act-build-${RUN}/app`;
    const workflow = `
name: ci
on:
  push:
jobs:
  docker:
    runs-on: ubuntu-latest
    steps:
      -
        name: Login to Docker Hub
        uses: docker/login-action@v4
        with:
          username: \${{ vars.DOCKERHUB_USERNAME }}
          password: \${{ secrets.DOCKERHUB_TOKEN }}
      -
        name: Set up QEMU
        uses: docker/setup-qemu-action@v4
      -
        name: Set up Docker Buildx
        uses: docker/setup-buildx-action@v4
      -
        name: Build and push
        id: build
        uses: ./
        with:
          push: true
          tags: ${REGISTRY}/${repository}:latest # testbed: user/app:latest
`;
    const workspace = makeRepository('build', { Dockerfile: DOCKERFILE, 'hello.txt': 'hi\n' });
    const result = await onPush(workspace, workflow, 'refs/heads/main', 'main');
    expectJobSucceeded(result, 'docker');
    const digest = result.jobs.docker.steps.build.outputs.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryTags(repository)).toEqual(['latest']);
    expect(await registryDigest(repository, 'latest')).toBe(digest);
  });

  it('aquasecurity/trivy-action (Scan CI Pipeline): the image built by `docker build` passes', async () => {
    const workflow = `
name: build
on:
  push:
    branches:
      - main
  pull_request:
jobs:
  build:
    name: Build
    runs-on: ubuntu-24.04
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Build an image from Dockerfile
        run: docker build -t docker.io/my-organization/my-app:\${{ github.sha }} .
      - name: Run Trivy vulnerability scanner
        id: trivy
        uses: ./
        with:
          image-ref: 'docker.io/my-organization/my-app:\${{ github.sha }}'
          format: 'table'
          exit-code: '1'
          ignore-unfixed: true
          vuln-type: 'os,library'
          severity: 'CRITICAL,HIGH'
          trivy-db-repository: ${TRIVY_DB} # testbed: the offline vulnerability DB
`;
    const workspace = makeRepository('trivy', { Dockerfile: DOCKERFILE, 'hello.txt': 'hi\n' });
    const result = await onPush(workspace, workflow, 'refs/heads/main', 'main');
    expectJobSucceeded(result, 'build');
    expect(result.jobs.build.steps.trivy.outcome).toBe('success');
    expect(result.jobs.build.steps.trivy.outputs['scan-result']).toBe('passed');
  });

  it('Azure/k8s-deploy (Basic deployment): the manifests deployed with the image pinned', async () => {
    const namespace = newNamespace('k8s');
    const image = `${REGISTRY}/act-k8s-${RUN}/myapp`;
    const workflow = `
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: azure/k8s-set-context@v4
        with:
          kubeconfig: \${{ secrets.KUBECONFIG }}
      - uses: ./
        with:
           namespace: '${namespace}' # testbed: myapp
           manifests: |
              dir/manifestsDirectory
           images: '${image}:\${{ github.run_id }}' # testbed: contoso.azurecr.io/myapp:\${{ event.run_id }} (not a valid context)
           imagepullsecrets: |
              image-pull-secret1
              image-pull-secret2
`;
    const workspace = makeRepository('k8s', {
      'dir/manifestsDirectory/web.yaml': deployment('web', `${image}:previous`),
    });
    const result = await onPush(workspace, workflow, 'refs/heads/main', 'main', {
      KUBECONFIG: kubeconfigSecret(),
    });
    expectJobSucceeded(result, 'deploy');
    const live = liveDeployment(namespace, 'web');
    expect(live.spec.template.spec.containers[0].image).toMatch(new RegExp(`^${image}:\\d+$`));
    expect(live.spec.template.spec.imagePullSecrets).toEqual([
      { name: 'image-pull-secret1' },
      { name: 'image-pull-secret2' },
    ]);
  });
});

describe("Gantry's README workflows", () => {
  it('1. every push to main: tagged, built, scanned, deployed rolling, pinned by digest', async () => {
    const namespace = newNamespace('ship');
    const repository = `act-ship-${RUN}/app`;
    const image = `${REGISTRY}/${repository}`;
    const workflow = `
name: ship
on:
  push:
    branches: [main]

permissions:
  contents: read # checkout, repository details for OCI labels
  packages: write # push to ghcr.io

jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@v3
      - uses: docker/login-action@v3
        with:
          registry: ${REGISTRY} # testbed: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - uses: azure/setup-kubectl@v4
      - uses: azure/k8s-set-context@v4
        with:
          kubeconfig: \${{ secrets.KUBECONFIG }}
      - id: gantry
        uses: ./
        with:
          images: ${image} # testbed: ghcr.io/acme/app
          tags: |
            type=ref,event=branch
            type=sha
          push: true
          manifests: k8s/
          namespace: ${namespace} # testbed: production
          strategy: rolling
          rollout-timeout: 5m
          trivy-db-repository: ${TRIVY_DB} # testbed: the offline vulnerability DB
`;
    const workspace = makeRepository('ship', {
      Dockerfile: DOCKERFILE,
      'hello.txt': 'hi\n',
      'k8s/app.yaml': deployment('app', `${image}:main`),
    });
    const result = await onPush(workspace, workflow, 'refs/heads/main', 'main', {
      KUBECONFIG: kubeconfigSecret(),
    });
    expectJobSucceeded(result, 'ship');
    const outputs = result.jobs.ship.steps.gantry.outputs;
    const sha = spawnSync('git', ['rev-parse', '--short=7', 'HEAD'], {
      cwd: workspace,
      encoding: 'utf8',
    }).stdout.trim();
    expect(await registryTags(repository)).toEqual(['main', `sha-${sha}`]);
    expect(outputs.image).toBe(`${image}@${outputs.digest}`);
    expect(outputs['scan-result']).toBe('passed');
    expect(outputs.rollout).toBe('succeeded');
    expect(liveDeployment(namespace, 'app').spec.template.spec.containers[0].image).toBe(
      outputs.image,
    );
  });

  it('2. a tag starts a canary; a workflow_dispatch promotes it', async () => {
    const namespace = newNamespace('release');
    const repository = `act-release-${RUN}/app`;
    const image = `${REGISTRY}/${repository}`;
    api.route('POST', '/repos/:owner/:repo/deployments', () => ({ status: 201, body: { id: 42 } }));
    api.route('POST', '/repos/:owner/:repo/deployments/:id/statuses', (req) => ({
      status: 201,
      body: { id: 1, state: req.body.state },
    }));
    const workflow = `
name: release
on:
  push:
    tags: ['v*']
  workflow_dispatch:
    inputs:
      decision:
        description: promote or reject the running canary
        type: choice
        options: [promote, reject]

permissions:
  contents: read
  packages: write
  deployments: write # GitHub deployment statuses for \`environment\`

jobs:
  canary:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    steps:
${RELEASE_SETUP}      - id: gantry
        uses: ./
        with:
          images: ${image} # testbed: ghcr.io/acme/app
          tags: |
            type=semver,pattern={{version}}
            type=semver,pattern={{major}}.{{minor}}
            type=semver,pattern={{major}}
          push: true
          manifests: k8s/
          namespace: ${namespace} # testbed: production
          strategy: canary
          canary-percentage: 20
          environment: production
          trivy-db-repository: ${TRIVY_DB} # testbed: the offline vulnerability DB

  decide:
    if: github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    environment: production # an environment with required reviewers gates this job
    steps:
      - uses: actions/checkout@v4
      - uses: azure/k8s-set-context@v4
        with:
          kubeconfig: \${{ secrets.KUBECONFIG }}
      - id: gantry
        uses: ./
        with:
          stages: deploy
          manifests: k8s/
          namespace: ${namespace} # testbed: production
          strategy: canary
          deploy-action: \${{ inputs.decision }}
`;
    // The stable version already runs (a release before this one).
    const stable = `${env.TESTBED_IMAGE_BUSYBOX}`;
    const workspace = makeRepository('release', {
      Dockerfile: DOCKERFILE,
      'hello.txt': 'hi\n',
      'k8s/app.yaml': deployment('app', `${image}:1.2.2`, 5),
    });
    fs.writeFileSync(`${workspace}/stable.yaml`, deployment('app', stable, 5));
    expect(kubectl('apply', '-n', namespace, '-f', `${workspace}/stable.yaml`).status).toBe(0);
    fs.rmSync(`${workspace}/stable.yaml`);
    expect(
      kubectl('rollout', 'status', 'deployment/app', '-n', namespace, '--timeout=120s').status,
    ).toBe(0);
    const secrets = { KUBECONFIG: kubeconfigSecret() };

    const release = await onPush(workspace, workflow, 'refs/tags/v1.2.3', 'main', secrets);
    expectJobSucceeded(release, 'canary');
    expect(release.jobs.decide).toBeUndefined(); // skipped by its `if:`
    const canary = release.jobs.canary.steps.gantry.outputs;
    expect(await registryTags(repository)).toEqual(['1', '1.2', '1.2.3', 'latest']);
    expect(canary.rollout).toBe('canary-ready');
    expect(liveDeployment(namespace, 'app-canary').spec.template.spec.containers[0].image).toBe(
      canary.image,
    );
    expect(liveDeployment(namespace, 'app').spec.template.spec.containers[0].image).toBe(stable);

    const decision = await runWorkflow({
      workspace,
      workflow,
      standIns: STAND_INS,
      event: 'workflow_dispatch',
      payload: { ref: 'refs/heads/main', inputs: { decision: 'promote' } },
      inputs: { decision: 'promote' },
      api,
      machineEnv: MACHINE,
      secrets,
    });
    expectJobSucceeded(decision, 'decide');
    expect(decision.jobs.decide.steps.gantry.outputs.rollout).toBe('promoted');
    expect(liveDeployment(namespace, 'app').spec.template.spec.containers[0].image).toBe(
      canary.image,
    );
    expect(liveDeployment(namespace, 'app-canary')).toBeUndefined();
  });

  it('3. a pull request: built, loaded, scanned, gated on HIGH, SARIF handed on, one PR comment', async () => {
    const comments: { id: number; body: string }[] = [];
    api.route('GET', '/repos/:owner/:repo/issues/:n/comments', () => ({ body: comments }));
    api.route('POST', '/repos/:owner/:repo/issues/:n/comments', (req) => {
      comments.push({ id: comments.length + 1, body: req.body.body });
      return { status: 201, body: comments[comments.length - 1] };
    });
    const image = `act-pr-${RUN}`;
    const workflow = `
name: pr
on:
  pull_request:

permissions:
  contents: read
  pull-requests: write # the one scan comment, updated in place on every push
  security-events: write # SARIF upload to code scanning

jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@v3
      - id: gantry
        uses: ./
        with:
          stages: meta,build,scan
          images: ${image} # testbed: app (a name of its own on the shared engine)
          tags: type=ref,event=pr
          load: true
          fail-on: HIGH
          ignore-unfixed: true
          trivyignores: .trivyignore
          trivy-db-repository: ${TRIVY_DB} # testbed: the offline vulnerability DB
      - if: always() && steps.gantry.outputs.sarif != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: \${{ steps.gantry.outputs.sarif }}
`;
    const workspace = makeRepository('pr', {
      Dockerfile: DOCKERFILE,
      'hello.txt': 'hi\n',
      '.trivyignore': '# nothing ignored\n',
    });
    const result = await runWorkflow({
      workspace,
      workflow,
      standIns: STAND_INS,
      event: 'pull_request',
      payload: {
        number: 7,
        pull_request: {
          number: 7,
          head: { ref: 'feature', sha: '0'.repeat(40) },
          base: { ref: 'main', sha: '1'.repeat(40) },
        },
        repository: { default_branch: 'main' },
      },
      api,
      machineEnv: MACHINE,
    });
    try {
      expectJobSucceeded(result, 'gate');
      const outputs = result.jobs.gate.steps.gantry.outputs;
      expect(outputs.tags).toBe(`${image}:pr-7`);
      expect(outputs['scan-result']).toBe('passed');
      const steps = Object.values(result.jobs.gate.steps);
      expect(steps.every((step) => step.outcome === 'success')).toBe(true);
      const loaded = spawnSync(env.DOCKER ?? 'docker', ['image', 'inspect', `${image}:pr-7`], {
        env: { ...process.env, ...env },
      });
      expect(loaded.status).toBe(0);
      expect(comments).toHaveLength(1);
    } finally {
      spawnSync(env.DOCKER ?? 'docker', ['rmi', '-f', `${image}:pr-7`], {
        env: { ...process.env, ...env },
      });
    }
  });
});

/** A Service for the deployment() above, and the HTTPRoute through the testbed's Gateway. */
function serviceAndRoute(name: string): { service: string; route: string } {
  const service = [
    'apiVersion: v1',
    'kind: Service',
    `metadata: { name: ${name} }`,
    'spec:',
    `  selector: { app: ${name} }`,
    '  ports: [{ name: http, port: 80, targetPort: 8080 }]',
    '',
  ].join('\n');
  const route = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: HTTPRoute',
    `metadata: { name: ${name} }`,
    'spec:',
    '  parentRefs:',
    `    - { group: gateway.networking.k8s.io, kind: Gateway, namespace: ${env.ROUTER_GATEWAY_NAMESPACE}, name: ${env.ROUTER_GATEWAY_NAME} }`,
    `  hostnames: [${name}-${RUN}.testbed.local]`,
    '  rules:',
    '    - matches: [{ path: { type: PathPrefix, value: / } }]',
    `      backendRefs: [{ group: '', kind: Service, name: ${name}, port: 80, weight: 1 }]`,
    '',
  ].join('\n');
  return { service, route };
}

/**
 * A tag push running README workflow 4's or 5's step (theirs are only the step) in a release
 * job, over the version before it, already running under the same manifests.
 */
async function release(
  name: string,
  replicas: number,
  settings: (context: { image: string; namespace: string; judge: string }) => string,
) {
  const namespace = newNamespace(name);
  const image = `${REGISTRY}/act-${name}-${RUN}/app`;
  const judge = await startJudge();
  const { service, route } = serviceAndRoute('app');
  const before = env.TESTBED_IMAGE_BUSYBOX;
  const workspace = makeRepository(name, {
    Dockerfile: DOCKERFILE,
    'hello.txt': 'hi\n',
    'k8s/app.yaml': `${deployment('app', `${image}:latest`, replicas)}---\n${service}`,
    'gateway/route.yaml': route,
    'before.yaml': `${deployment('app', before, replicas)}---\n${service}---\n${route}`,
  });
  expect(kubectl('apply', '-n', namespace, '-f', `${workspace}/before.yaml`).status).toBe(0);
  expect(
    kubectl('rollout', 'status', 'deployment/app', '-n', namespace, '--timeout=120s').status,
  ).toBe(0);
  const workflow = `
name: release
on:
  push:
    tags: ['v*']

permissions:
  contents: read
  packages: write

jobs:
  release:
    runs-on: ubuntu-latest
    steps:
${RELEASE_SETUP}      - id: gantry
        uses: ./ # testbed: acme/gantry@v1
        with:
          images: ${image} # testbed: ghcr.io/\${{ github.repository }}
          push: true # testbed: (workflow 2's step pushes too)
          namespace: ${namespace} # testbed: (the context's namespace)
          trivy-db-repository: ${TRIVY_DB} # testbed: the offline vulnerability DB
          manifests: |
            k8s
            gateway
${settings({ image, namespace, judge: judge.url })}`;
  try {
    const result = await onPush(workspace, workflow, 'refs/tags/v2.0.0', 'main', {
      KUBECONFIG: kubeconfigSecret(),
    });
    expectJobSucceeded(result, 'release');
    return {
      outputs: result.jobs.release.steps.gantry.outputs,
      calls: judge.calls,
      namespace,
      before,
    };
  } finally {
    await judge.stop();
  }
}

/** The Services an HTTPRoute's first rule sends its traffic to. */
function routeBackends(namespace: string, name: string): string[] {
  const result = kubectl('get', `httproute/${name}`, '-n', namespace, '-o', 'json');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout).spec.rules[0].backendRefs.map((b: { name: string }) => b.name);
}

describe("Gantry's README workflows 4 and 5 (progressive delivery, blue-green)", () => {
  it('4. canary steps 10, 25, 50 through the Gateway API route, judged at every interval, promoted by the job itself', async () => {
    const { outputs, calls, namespace } = await release(
      'steps',
      4,
      ({ judge }) => `          strategy: canary
          traffic-split: gateway-api
          canary-steps: 10,25,50
          canary-step-duration: 10s # testbed: 2m
          analysis-interval: 5s # testbed: 30s
          # testbed: the README's Prometheus lines become its webhook line (kwok's pods serve no metrics)
          analysis-webhook: ${judge}
`,
    );
    expect(outputs.rollout).toBe('promoted');
    // Asked at every interval of every step, each step at its weight.
    expect([...new Set(calls.map((c) => `${c.step}@${c.weight}`))]).toEqual([
      '1@10',
      '2@25',
      '3@50',
    ]);
    expect(calls.length).toBeGreaterThanOrEqual(6);
    expect(liveDeployment(namespace, 'app').spec.template.spec.containers[0].image).toBe(
      outputs.image,
    );
    expect(liveDeployment(namespace, 'app-canary')).toBeUndefined();
    // The route as written again: one backend, the stable Service.
    expect(routeBackends(namespace, 'app')).toEqual(['app']);
  });

  it('5. blue-green through the Gateway API route, green judged before and after the switch', async () => {
    const { outputs, calls, namespace, before } = await release(
      'bluegreen',
      2,
      ({ judge }) => `          strategy: blue-green
          route-method: gateway-api # or service, ingress, smi
          version-switch-buffer: 0 # minutes between green ready and the switch
          # optional: judge green before and after the switch
          canary-step-duration: 10s # testbed: 2m
          analysis-interval: 5s # testbed: 30s
          analysis-webhook: ${judge} # testbed: https://judge.example/green
`,
    );
    expect(outputs.rollout).toBe('switched');
    // Judged at weight 0 before the switch and at 100 after it.
    expect([...new Set(calls.map((c) => c.weight))]).toEqual([0, 100]);
    // Green runs the new digest beside blue, and the route names green's Service.
    expect(liveDeployment(namespace, 'app-green').spec.template.spec.containers[0].image).toBe(
      outputs.image,
    );
    expect(liveDeployment(namespace, 'app').spec.template.spec.containers[0].image).toBe(before);
    expect(routeBackends(namespace, 'app')).toEqual(['app-green']);
  });
});
