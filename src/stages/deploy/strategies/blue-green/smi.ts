// route-method smi: a TrafficSplit on each blue Service (`<svc>-trafficsplit`, k8s-deploy's
// name) with the Service itself as blue's backend and `<svc>-green` as green's: weights 0 / 100
// switch, 100 / 0 switch back, and the TrafficSplit goes with green.
import type { KubeObject } from '../../model';
import { trafficSplitFor } from '../../traffic/smi';
import { BLUE_NAME_ANNOTATION, COLOR_LABEL, greenName } from './green';
import type { RouteSwitch, SwitchInput } from './route-switch';

export function blueGreenSplitName(service: string): string {
  return `${service}-trafficsplit`;
}

function splits(input: SwitchInput, green: number): KubeObject[] {
  return input.services.map((service) => {
    const name = service.metadata.name;
    return trafficSplitFor(
      service,
      blueGreenSplitName(name),
      [
        { service: name, weight: 100 - green },
        { service: greenName(name), weight: green },
      ],
      {
        labels: { [COLOR_LABEL]: green === 100 ? 'green' : 'blue' },
        annotations: { ...input.trafficSplitAnnotations, [BLUE_NAME_ANNOTATION]: name },
      },
    );
  });
}

export const smiSwitch: RouteSwitch = {
  method: 'smi',
  greenServices: true,
  toGreen: (input) => splits(input, 100),
  toBlue: (input) => splits(input, 0),
  leftovers: (input) => splits(input, 0),
};
