// Every stage, in pipeline order. main.ts runs the selected ones through this list.
import type { AnyStage } from './types';
import { metaStage } from './meta';
import { buildStage } from './build';
import { scanStage } from './scan';
import { deployStage } from './deploy';

export const STAGES: readonly AnyStage[] = [metaStage, buildStage, scanStage, deployStage];
