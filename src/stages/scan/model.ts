// What the scan stage reports.
export interface ScanResult {
  result: 'passed' | 'failed';
  /** Findings per severity (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN). */
  vulnerabilities: Record<string, number>;
  sarif: string;
}
