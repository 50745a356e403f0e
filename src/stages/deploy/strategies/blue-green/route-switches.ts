// The blue-green route methods by name: the compiler insists that every route method has one.
import type { RouteMethod } from '../../model';
import { gatewayApiSwitch } from './gateway-api';
import { ingressSwitch } from './ingress';
import type { RouteSwitch } from './route-switch';
import { serviceSwitch } from './service';
import { smiSwitch } from './smi';

const ROUTE_SWITCHES: Record<RouteMethod, RouteSwitch> = {
  service: serviceSwitch,
  ingress: ingressSwitch,
  'gateway-api': gatewayApiSwitch,
  smi: smiSwitch,
};

export function routeSwitchFor(method: RouteMethod): RouteSwitch {
  return ROUTE_SWITCHES[method];
}
