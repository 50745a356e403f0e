// The analysis providers by name. A new provider (Datadog, CloudWatch, New Relic) is one file
// implementing AnalysisProvider and one line here; a name without one does not compile.
import type { AnalysisProvider, AnalysisProviderName } from './model';
import { prometheusProvider } from './prometheus';
import { webhookProvider } from './webhook';

const PROVIDERS: Record<AnalysisProviderName, AnalysisProvider> = {
  prometheus: prometheusProvider,
  webhook: webhookProvider,
};

export function providerFor(name: AnalysisProviderName): AnalysisProvider {
  return PROVIDERS[name];
}

export type { AnalysisProvider, AnalysisCheck, Measurement, Reading } from './model';
