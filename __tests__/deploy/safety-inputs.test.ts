import { mapInputs } from '../../src/inputs';
import { parseDeployInputs } from '../../src/stages/deploy/inputs';

const parse = (values: Record<string, string>) =>
  parseDeployInputs(mapInputs({ manifests: 'k8s/', ...values }));

describe('deploy safety inputs', () => {
  it('refuses cluster-scoped objects and waits 10 minutes for another run by default', () => {
    expect(parse({})).toMatchObject({ allowClusterScoped: false, leaseWaitSeconds: 600 });
  });

  it.each([
    [{ 'allow-cluster-scoped': 'true' }, { allowClusterScoped: true }],
    [{ 'lease-wait': '0' }, { leaseWaitSeconds: 0 }],
    [{ 'lease-wait': '90s' }, { leaseWaitSeconds: 90 }],
  ])('%p', (values, expected) => {
    expect(parse(values)).toMatchObject(expected);
  });

  it('names the input of a bad lease-wait', () => {
    expect(() => parse({ 'lease-wait': 'a while' })).toThrow(
      'Input "lease-wait": "a while" is not a duration like 0, 90s or 10m',
    );
  });
});
