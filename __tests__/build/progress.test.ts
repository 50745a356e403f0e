import {
  countSteps,
  exportedManifest,
  parseBuildSteps,
  pushedManifest,
} from '../../src/stages/build/progress';

// A warm rebuild's plain progress after main.go changed, as buildx prints it.
const WARM_BUILDKIT = `#0 building with "testbed" instance using remote driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 612B done
#1 DONE 0.0s

#2 [internal] load metadata for 127.0.0.1:5000/testbed/golang:1
#2 DONE 0.1s

#5 [builder 1/6] FROM 127.0.0.1:5000/testbed/golang:1@sha256:aaaa
#5 resolve 127.0.0.1:5000/testbed/golang:1@sha256:aaaa done
#5 DONE 0.0s

#6 [stage-1 1/2] FROM 127.0.0.1:5000/testbed/busybox:1@sha256:bbbb
#6 CACHED

#7 [builder 2/6] WORKDIR /src
#7 CACHED

#8 [builder 3/6] COPY go.mod ./
#8 CACHED

#9 [builder 4/6] RUN go mod download && go build std
#9 CACHED

#10 [builder 5/6] COPY *.go ./
#10 DONE 0.0s

#11 [builder 6/6] RUN go build -o /out/hello .
#11 0.512 building
#11 DONE 2.1s

#12 [stage-1 2/2] COPY --from=builder /out/hello /hello
#12 DONE 0.1s

#13 exporting to image
#13 DONE 0.3s
`;

const LEGACY = `Sending build context to Docker daemon  4.096kB
Step 1/4 : FROM 127.0.0.1:5000/testbed/busybox:1
 ---> 5e1bb2b2d1c4
Step 2/4 : COPY go.mod ./
 ---> Using cache
 ---> 1c6a0f2b3d4e
Step 3/4 : COPY main.go ./
 ---> 2d7b1e3c4f5a
Step 4/4 : CMD ["true"]
 ---> Running in 8e9f
Successfully built 3e8f9a0b1c2d
`;

describe('parseBuildSteps', () => {
  it('reads BuildKit plain progress: Dockerfile steps only, CACHED per step', () => {
    const steps = parseBuildSteps(WARM_BUILDKIT);
    expect(steps.map((s) => [s.name, s.cached])).toEqual([
      ['[builder 1/6] FROM 127.0.0.1:5000/testbed/golang:1@sha256:aaaa', false],
      ['[stage-1 1/2] FROM 127.0.0.1:5000/testbed/busybox:1@sha256:bbbb', true],
      ['[builder 2/6] WORKDIR /src', true],
      ['[builder 3/6] COPY go.mod ./', true],
      ['[builder 4/6] RUN go mod download && go build std', true],
      ['[builder 5/6] COPY *.go ./', false],
      ['[builder 6/6] RUN go build -o /out/hello .', false],
      ['[stage-1 2/2] COPY --from=builder /out/hello /hello', false],
    ]);
    expect(countSteps(steps)).toEqual({ total: 8, cached: 4 });
  });

  it('reads the legacy builder', () => {
    expect(countSteps(parseBuildSteps(LEGACY))).toEqual({ total: 4, cached: 1 });
  });

  it('counts each step once when its number repeats', () => {
    const log = '#3 [1/2] RUN a\n#3 0.1 x\n#3 [1/2] RUN a\n#3 CACHED\n';
    expect(countSteps(parseBuildSteps(log))).toEqual({ total: 1, cached: 1 });
  });

  it('is empty for a log without steps', () => {
    expect(countSteps(parseBuildSteps('nothing here'))).toEqual({ total: 0, cached: 0 });
  });
});

describe('exportedManifest', () => {
  it('finds the image manifest BuildKit exported, not the index', () => {
    const m = `sha256:${'1'.repeat(64)}`;
    const log = `#15 exporting to image\n#15 exporting manifest ${m} done\n#15 exporting manifest list sha256:${'2'.repeat(64)} done\n`;
    expect(exportedManifest(log)).toBe(m);
    expect(exportedManifest(WARM_BUILDKIT)).toBeUndefined();
  });
});

describe('pushedManifest: the first tag pushed, seen in the progress', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  it.each([
    [
      `#13 pushing manifest for 127.0.0.1:5000/app:1.2.3@${digest} 0.1s done`,
      '127.0.0.1:5000/app',
      digest,
    ],
    [
      `#13 pushing manifest for 127.0.0.1:5000/app:latest@${digest} done`,
      '127.0.0.1:5000/app',
      digest,
    ],
    // Still under way: not pushed yet.
    [
      `#13 pushing manifest for 127.0.0.1:5000/app:1.2.3@${digest}`,
      '127.0.0.1:5000/app',
      undefined,
    ],
    // Another repository's tag (a second registry): its push says nothing of the first one's.
    [
      `#13 pushing manifest for ghcr.io/acme/app:1@${digest} 0.2s done`,
      '127.0.0.1:5000/app',
      undefined,
    ],
    // Docker Hub short names are compared as the runtime pulls them.
    [
      `#9 pushing manifest for docker.io/acme/app:1@${digest} 0.2s done`,
      'docker.io/acme/app',
      digest,
    ],
    ['#13 pushing layers 0.0s done', '127.0.0.1:5000/app', undefined],
  ])('%s', (line, repository, expected) => {
    expect(pushedManifest(line, repository)).toBe(expected);
  });
});
