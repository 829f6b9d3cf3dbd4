/** The results file and the table printed at the end: figures against the targets. Pure. */

export interface DispatchResults {
  vehicles: number;
  replicas: number;
  jobsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  failoverP99Ms: number | null;
  stateMessagesPerSecond: number | null;
  baselineP99Ms: number | null;
  lostJobs: number;
  duplicateOrders: number;
  replicaKilled: boolean;
  /**
   * True when fleet absorbed clearly fewer state messages than the vehicles sent; null when that
   * cannot be told (fleet exports no state counter and the outside estimate cannot rule it out).
   */
  stateBacklogGrowing: boolean | null;
  details: Record<string, unknown>;
}

interface Target {
  figure: string;
  value: string;
  target: string;
  met: boolean | undefined;
}

const BACKLOG_NOTE: Record<string, string> = { true: ' (backlog grows)', false: '', null: ' (at least; backlog not visible)' };
const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toLocaleString('en-US')} ms`);
const atMost = (v: number | null, limit: number) => (v === null ? undefined : v <= limit);

export function targets(r: DispatchResults): Target[] {
  const rate = r.stateMessagesPerSecond;
  return [
    { figure: 'vehicles', value: r.vehicles.toLocaleString('en-US'), target: '≥ 1,000', met: r.vehicles >= 1_000 },
    { figure: 'fleet replicas (one killed mid-run)', value: `${r.replicas}${r.replicaKilled ? ' (killed)' : ''}`, target: '≥ 2, one killed', met: r.replicas >= 2 && r.replicaKilled },
    { figure: 'jobs per second submitted', value: String(r.jobsPerSecond), target: '50', met: r.jobsPerSecond >= 50 },
    { figure: 'submit → order received p50', value: ms(r.p50Ms), target: '—', met: undefined },
    { figure: 'submit → order received p99 (outside failover)', value: ms(r.p99Ms), target: '≤ 100 ms', met: atMost(r.p99Ms, 100) },
    { figure: 'submit → order received p99 (failover window)', value: ms(r.failoverP99Ms), target: '≤ 5,000 ms', met: r.replicaKilled ? atMost(r.failoverP99Ms, 5_000) : undefined },
    {
      figure: 'state messages absorbed per second',
      value: rate === null ? 'n/a' : `${Math.round(rate).toLocaleString('en-US')}${BACKLOG_NOTE[String(r.stateBacklogGrowing)]}`,
      target: '≥ 1,000, no growing backlog',
      met: rate === null || r.stateBacklogGrowing === null ? undefined : rate >= 1_000 && !r.stateBacklogGrowing,
    },
    { figure: 'baseline: bare gRPC echo p99, same streams and rate', value: ms(r.baselineP99Ms), target: '—', met: undefined },
    { figure: 'lost jobs', value: String(r.lostJobs), target: '0', met: r.lostJobs === 0 },
    { figure: 'orders executed twice', value: String(r.duplicateOrders), target: '0', met: r.duplicateOrders === 0 },
  ];
}

export function renderTable(r: DispatchResults): string {
  const rows = targets(r).map((t) => [t.figure, t.value, t.target, t.met === undefined ? '' : t.met ? 'met' : 'MISSED']);
  const header = ['figure', 'result', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
