// The address users reach the deployment at, when the manifests say: the first host of an
// Ingress (https when it has TLS for that host) or of an HTTPRoute.
import type { KubeObject } from './model';

export function environmentUrl(objects: KubeObject[]): string | undefined {
  for (const object of objects) {
    if (object.kind === 'Ingress') {
      const host: string | undefined = object.spec?.rules?.find(
        (rule: { host?: string }) => rule.host,
      )?.host;
      if (!host || host.includes('*')) continue;
      const tls = (object.spec?.tls ?? []).some((entry: { hosts?: string[] }) =>
        entry.hosts?.includes(host),
      );
      return `${tls ? 'https' : 'http'}://${host}`;
    }
    if (object.kind === 'HTTPRoute') {
      const host: string | undefined = object.spec?.hostnames?.find(
        (name: string) => !name.includes('*'),
      );
      if (host) return `https://${host}`;
    }
  }
  return undefined;
}
