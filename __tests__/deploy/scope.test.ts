import { InputError } from '../../src/lib/errors';
import type { KubeObject, Manifest } from '../../src/stages/deploy/model';
import { checkDryRun, checkScope, MAX_OBJECTS } from '../../src/stages/deploy/scope';

function manifest(kind: string, name: string, namespace?: string, line = 1): Manifest {
  return {
    object: { apiVersion: 'v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) } },
    file: 'k8s/app.yaml',
    line,
  };
}

describe('checkScope', () => {
  it.each([
    [
      'objects without a namespace',
      [manifest('Deployment', 'web'), manifest('Service', 'web')],
      'prod',
      false,
      undefined,
    ],
    [
      'objects in the input namespace',
      [manifest('ConfigMap', 'c', 'prod')],
      'prod',
      false,
      undefined,
    ],
    [
      'any namespace when the input is empty',
      [manifest('ConfigMap', 'c', 'other')],
      '',
      false,
      undefined,
    ],
    [
      'an object naming another namespace',
      [manifest('ConfigMap', 'ok'), manifest('ConfigMap', 'c', 'kube-system', 9)],
      'prod',
      false,
      /Input "manifests": objects must be in namespace "prod" \(input namespace\) or name none:\nk8s\/app\.yaml:9: ConfigMap\/c names namespace "kube-system"/,
    ],
    [
      'a Namespace',
      [manifest('Namespace', 'evil', undefined, 3)],
      'prod',
      false,
      /cluster-scoped objects reach beyond a namespace and are applied only with allow-cluster-scoped: true:\nk8s\/app\.yaml:3: Namespace\/evil/,
    ],
    [
      'a ClusterRole without namespace input',
      [manifest('ClusterRole', 'admin')],
      '',
      false,
      /allow-cluster-scoped/,
    ],
    ['a ClusterRole when allowed', [manifest('ClusterRole', 'admin')], 'prod', true, undefined],
  ] as [string, Manifest[], string, boolean, RegExp | undefined][])(
    '%s',
    (_name, manifests, namespace, allow, error) => {
      const check = () => checkScope(manifests, namespace, allow);
      if (error) {
        expect(check).toThrow(InputError);
        expect(check).toThrow(error);
      } else {
        expect(check).not.toThrow();
      }
    },
  );

  it('bounds how many objects one run applies', () => {
    const many = Array.from({ length: MAX_OBJECTS + 1 }, (_, i) => manifest('Deployment', `d${i}`));
    expect(() => checkScope(many, '', false)).toThrow(
      `Input "manifests": ${MAX_OBJECTS + 1} objects are more than one run applies (at most ${MAX_OBJECTS}); split them over several deploy steps`,
    );
    expect(() => checkScope(many.slice(1), '', false)).not.toThrow();
  });
});

describe('checkDryRun', () => {
  const stored = (kind: string, namespace?: string): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind,
    metadata: { name: 'x', ...(namespace ? { namespace } : {}) },
  });
  it('refuses what the server stores without a namespace (custom cluster-scoped kinds)', () => {
    expect(() => checkDryRun([stored('Widget', 'prod'), stored('ClusterWidget')], false)).toThrow(
      /allow-cluster-scoped: true:\nClusterWidget\/x/,
    );
    expect(() => checkDryRun([stored('ClusterWidget')], true)).not.toThrow();
    expect(() => checkDryRun([stored('Widget', 'prod')], false)).not.toThrow();
  });
});
