// What `docker buildx inspect` says about a builder: its name and driver. The `docker` driver
// (the engine's own BuildKit) cannot export cache except inline, which shapes the cache plan.

export interface BuilderInfo {
  name: string;
  driver: string;
}

export function parseBuildxInspect(text: string): BuilderInfo {
  const field = (label: string) =>
    new RegExp(`^${label}:\\s*(.+)$`, 'm').exec(text)?.[1].trim() ?? '';
  return { name: field('Name'), driver: field('Driver') };
}

/** The docker driver (without the containerd image store) refuses attestations. */
export function canAttest(info: BuilderInfo): boolean {
  return info.driver !== 'docker';
}

export function canExportCache(
  info: BuilderInfo,
): { supported: true } | { supported: false; why: string } {
  if (info.driver === 'docker') {
    return {
      supported: false,
      why: `the builder "${info.name}" uses the docker driver, which only writes inline cache`,
    };
  }
  return { supported: true };
}
