import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The PrometheusRule every overlay deploys. */
export const ALERT_RULES_PATH = fileURLToPath(new URL('../../../../deploy/k8s/components/observability/prometheusrule.yaml', import.meta.url));

/** Series the rules use that no Kera service exports (Prometheus itself, the Kafka exporter). */
export const EXTERNAL_METRICS: ReadonlySet<string> = new Set(['up', 'kafka_consumergroup_lag_sum']);

/** The Kera services that export metrics; a metric's prefix names its service (`fleet_jobs` → fleet). */
export const METRIC_SERVICES = ['fleet', 'ingest', 'notify', 'routing'] as const;
export type MetricService = (typeof METRIC_SERVICES)[number];

export interface AlertMetric {
  alert: string;
  metric: string;
}

interface RuleFile {
  spec: { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
}

/** PromQL words that are functions, operators or keywords, not series names. */
const PROMQL_WORDS = /^(sum|max|min|avg|count|by|without|on|ignoring|group_left|group_right|rate|increase|irate|delta|histogram_quantile|and|or|unless|bool|offset|humanize\w*|label_\w+|abs|clamp\w*|absent\w*|time|vector|scalar|topk|bottomk|quantile|stddev|stdvar|count_values|\w+_over_time|le)$/;

/** Every series name each alert rule's expression uses (label names, label values and functions left out). */
export async function alertRuleMetrics(path = ALERT_RULES_PATH): Promise<AlertMetric[]> {
  const rules = (parse(await readFile(path, 'utf8')) as RuleFile).spec.groups.flatMap((g) => g.rules);
  const found: AlertMetric[] = [];
  for (const rule of rules) {
    const expr = rule.expr
      .replace(/\{[^}]*\}/g, ' ') // label matchers
      .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ') // grouping labels
      .replace(/\[[^\]]*\]/g, ' ') // range selectors
      .replace(/"[^"]*"/g, ' ');
    for (const [word] of expr.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g)) {
      if (PROMQL_WORDS.test(word)) continue;
      found.push({ alert: rule.alert ?? rule.record ?? '?', metric: word });
    }
  }
  return found;
}

/** The service whose exporter must emit `metric`, or undefined for an external series. */
export function serviceOfMetric(metric: string): MetricService | undefined {
  return METRIC_SERVICES.find((s) => metric.startsWith(`${s}_`));
}

/** Series names in a Prometheus text exposition (what /metrics returned). */
export function exportedMetricNames(exposition: string): Set<string> {
  return new Set(exposition.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!));
}

/**
 * The `service` metrics the alert rules use that `exposition` lacks, as
 * "metric (Alert)" for a readable failure; empty when every one is exported.
 */
export async function missingAlertMetrics(service: MetricService, exposition: string): Promise<string[]> {
  const exported = exportedMetricNames(exposition);
  const used = (await alertRuleMetrics()).filter((u) => serviceOfMetric(u.metric) === service);
  if (used.length === 0) throw new Error(`no alert rule uses a ${service}_ metric`);
  return used.filter((u) => !exported.has(u.metric)).map((u) => `${u.metric} (${u.alert})`);
}
