// The traffic splits by name.
import type { TrafficSplit } from '../model';
import { gatewayApiRouter } from './gateway-api';
import { ingressNginxRouter } from './ingress-nginx';
import { podRouter } from './pod';
import type { TrafficRouter } from './router';
import { smiRouter } from './smi';

const ROUTERS: Record<TrafficSplit, TrafficRouter> = {
  pod: podRouter,
  'ingress-nginx': ingressNginxRouter,
  'gateway-api': gatewayApiRouter,
  smi: smiRouter,
};

export function routerFor(split: TrafficSplit): TrafficRouter {
  return ROUTERS[split];
}

export type { TrafficRouter, RouteInput } from './router';
