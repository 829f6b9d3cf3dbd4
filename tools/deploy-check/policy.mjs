/**
 * Kera's deployment rules, checked on one rendered overlay. Each rule is something a reviewer would
 * otherwise have to re-check by eye on every change (docs/deploy.md explains the reasons).
 * Applies to workloads labelled app.kubernetes.io/part-of=kera; dev-only dependencies are exempt.
 */

const PART_OF = 'app.kubernetes.io/part-of';
const isKera = (object) => object?.metadata?.labels?.[PART_OF] === 'kera';
const nameOf = (object) => `${object.kind}/${object.metadata?.name}`;
const DEFAULT_GRACE_S = 30;
const DEFAULT_SHUTDOWN_DEADLINE_MS = 10_000;

const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value) && Object.keys(selector ?? {}).length > 0;

/** Value of an env var in a container: env first, then envFrom ConfigMaps (last one wins). */
function envValue(container, name, configMaps) {
  const direct = (container.env ?? []).find((e) => e.name === name);
  if (direct) return direct.value;
  let value;
  for (const source of container.envFrom ?? []) {
    const data = configMaps.get(source.configMapRef?.name)?.data;
    if (data && name in data) value = data[name];
  }
  return value;
}

function containerProblems(container) {
  const problems = [];
  const sc = container.securityContext ?? {};
  if (sc.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation must be false');
  if (sc.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem must be true');
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push('capabilities must drop ALL');
  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      if (!container.resources?.[kind]?.[resource]) problems.push(`resources.${kind}.${resource} missing`);
    }
  }
  const image = String(container.image ?? '');
  const tag = image.includes('@') ? 'digest' : image.slice(image.lastIndexOf('/') + 1).split(':')[1];
  if (!tag || tag === 'latest') problems.push(`image ${image} needs an explicit tag or digest (not latest)`);
  if (!(container.volumeMounts ?? []).some((m) => m.mountPath === '/tmp')) {
    problems.push('no writable /tmp mount (the root filesystem is read-only)');
  }
  return problems.map((p) => `container ${container.name}: ${p}`);
}

function probeProblems(container) {
  const problems = [];
  const ports = new Set((container.ports ?? []).flatMap((p) => [p.name, p.containerPort]).filter(Boolean));
  for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    const probe = container[kind];
    if (!probe) {
      problems.push(`${kind} missing`);
      continue;
    }
    const port = probe.httpGet?.port ?? probe.grpc?.port ?? probe.tcpSocket?.port;
    if (port !== undefined && !ports.has(port)) problems.push(`${kind} uses port ${port}, which the container does not declare`);
  }
  return problems.map((p) => `container ${container.name}: ${p}`);
}

/** SIGTERM comes after preStop; the grace period must cover both plus the service's own deadline. */
function shutdownBudgetProblems(pod, container, configMaps) {
  const graceMs = (pod.terminationGracePeriodSeconds ?? DEFAULT_GRACE_S) * 1000;
  const deadlineMs = Number(envValue(container, 'SHUTDOWN_DEADLINE_MS', configMaps) ?? DEFAULT_SHUTDOWN_DEADLINE_MS);
  const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
  return graceMs > deadlineMs + preStopMs
    ? []
    : [`terminationGracePeriodSeconds ${graceMs / 1000}s does not exceed preStop ${preStopMs} ms + SHUTDOWN_DEADLINE_MS ${deadlineMs} ms`];
}

function deploymentProblems(deployment, configMaps) {
  const problems = [];
  const pod = deployment.spec?.template?.spec ?? {};
  const strategy = deployment.spec?.strategy;
  if (strategy?.type !== 'RollingUpdate' || strategy.rollingUpdate?.maxUnavailable !== 0) {
    problems.push('strategy must be RollingUpdate with maxUnavailable 0');
  }
  if (pod.automountServiceAccountToken !== false) problems.push('automountServiceAccountToken must be false');
  if (pod.enableServiceLinks !== false) problems.push('enableServiceLinks must be false');
  if (pod.securityContext?.runAsNonRoot !== true) problems.push('pod securityContext.runAsNonRoot must be true');
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') problems.push('pod seccompProfile must be RuntimeDefault');
  if (!(pod.initContainers ?? []).some((c) => (c.command ?? []).join(' ').includes('topics.js'))) {
    problems.push('no init container creates the Kafka topics (tools/run/dist/src/topics.js)');
  }
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    problems.push(...containerProblems(container));
  }
  for (const container of pod.containers ?? []) {
    problems.push(...probeProblems(container), ...shutdownBudgetProblems(pod, container, configMaps));
  }
  const annotations = deployment.spec?.template?.metadata?.annotations ?? {};
  const opsPort = (pod.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === 'ops')?.containerPort;
  if (annotations['prometheus.io/scrape'] !== 'true' || annotations['prometheus.io/port'] !== String(opsPort)) {
    problems.push(`prometheus.io/scrape must be "true" and prometheus.io/port the ops port (${opsPort})`);
  }
  return problems;
}

/**
 * Production encrypts every link (docs/security.md): gRPC servers have a certificate, services
 * calling gRPC trust a CA, Kafka is TLS, Redis is rediss://. Plaintext stays the local default.
 * The kubelet's gRPC probe cannot speak TLS, so no probe may use it once gRPC is TLS.
 */
function transportProblems(deployment, configMaps) {
  const problems = [];
  for (const container of deployment.spec?.template?.spec?.containers ?? []) {
    const value = (name) => envValue(container, name, configMaps);
    const servesGrpc = (container.ports ?? []).some((p) => p.name === 'grpc');
    if (servesGrpc && (!value('GRPC_TLS_CERT') || !value('GRPC_TLS_KEY'))) problems.push('gRPC is plaintext: set GRPC_TLS_CERT and GRPC_TLS_KEY');
    if (servesGrpc && !value('GRPC_TLS_CA')) problems.push('gRPC clients trust no CA: set GRPC_TLS_CA');
    if (!['true', '1'].includes(value('KAFKA_TLS') ?? '')) problems.push('Kafka is plaintext: set KAFKA_TLS=true');
    // A Secret (envFrom secretRef) that carries REDIS_URL with its password is checked when it is created.
    const redisFromSecret = (container.envFrom ?? []).some((s) => s.secretRef);
    const redisUrl = value('REDIS_URL');
    if (!redisFromSecret && redisUrl !== undefined && !redisUrl.startsWith('rediss://')) problems.push('Redis is plaintext: REDIS_URL must be rediss://');
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      if (container[kind]?.grpc) problems.push(`${kind} uses the kubelet's gRPC probe, which cannot speak TLS: probe the ops port`);
    }
  }
  return problems.map((p) => `container: ${p}`);
}

/** fleet replicas share Redis, so any number works; the overlays must still render it. */
function fleetProblems(deployments) {
  return deployments.some((d) => d.metadata?.name === 'fleet') ? [] : ['Deployment/fleet missing'];
}

function podLabels(deployment) {
  return deployment.spec?.template?.metadata?.labels ?? {};
}

function serviceProblems(service, deployments) {
  const target = deployments.find((d) => matches(service.spec?.selector, podLabels(d)));
  if (!target) return [`${nameOf(service)}: selector matches no Deployment`];
  const ports = new Set((target.spec.template.spec.containers ?? []).flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort])));
  return (service.spec?.ports ?? [])
    .filter((p) => !ports.has(p.targetPort ?? p.port))
    .map((p) => `${nameOf(service)}: targetPort ${p.targetPort ?? p.port} is not a port of ${nameOf(target)}`);
}

/** Problems of one rendered overlay (a list of { source, object }). */
export function policyProblems(entries) {
  const objects = entries.map((e) => e.object);
  const source = entries[0]?.source ?? '';
  const of = (kind) => objects.filter((o) => o?.kind === kind);
  const configMaps = new Map(of('ConfigMap').map((c) => [c.metadata?.name, c]));
  const deployments = of('Deployment').filter(isKera);
  const budgets = of('PodDisruptionBudget');
  const autoscalers = of('HorizontalPodAutoscaler');
  const problems = [];
  // Overlays for production label their Namespace; there plaintext links are refused.
  const production = of('Namespace').some((n) => n.metadata?.labels?.['kera/environment'] === 'production');

  for (const secret of of('Secret')) problems.push(`${nameOf(secret)}: Secrets are created per cluster, never rendered from the repo`);
  for (const deployment of deployments) {
    problems.push(...deploymentProblems(deployment, configMaps).map((p) => `${nameOf(deployment)}: ${p}`));
    if (production) problems.push(...transportProblems(deployment, configMaps).map((p) => `${nameOf(deployment)}: ${p}`));
    if (!budgets.some((b) => matches(b.spec?.selector?.matchLabels, podLabels(deployment)))) {
      problems.push(`${nameOf(deployment)}: no PodDisruptionBudget selects it`);
    }
  }
  if (deployments.length > 0) problems.push(...fleetProblems(deployments));
  for (const service of of('Service').filter(isKera)) problems.push(...serviceProblems(service, deployments));
  for (const hpa of autoscalers) {
    const target = deployments.find((d) => d.metadata?.name === hpa.spec?.scaleTargetRef?.name);
    if (!target) problems.push(`${nameOf(hpa)}: scales a Deployment that is not rendered`);
    else if (target.spec?.replicas !== undefined) problems.push(`${nameOf(hpa)}: ${nameOf(target)} also sets replicas; every apply would fight the autoscaler`);
  }
  return problems.map((p) => `${source}: ${p}`);
}
