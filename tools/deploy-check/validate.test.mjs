import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { validateRendered } from './validate.mjs';
import { dockerProblems } from './dockerfiles.mjs';

const labels = (name) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'kera' });
const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
const resources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } };
const tmp = [{ name: 'tmp', mountPath: '/tmp' }];

/** A fleet Deployment that follows every rule; tests break one thing at a time. */
function fleetDeployment() {
  const probe = { grpc: { port: 50052 } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fleet', labels: labels('fleet') },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'fleet' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: labels('fleet'),
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102' },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [
            { name: 'topics', image: 'kera/fleet:1.0.0', command: ['node', 'tools/run/dist/src/topics.js'], resources, securityContext: hardened, volumeMounts: tmp },
          ],
          containers: [
            {
              name: 'fleet',
              image: 'kera/fleet:1.0.0',
              ports: [{ name: 'grpc', containerPort: 50052 }, { name: 'ops', containerPort: 9102 }],
              envFrom: [{ configMapRef: { name: 'kera-config' } }],
              startupProbe: probe,
              readinessProbe: { httpGet: { path: '/readyz', port: 'ops' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'ops' } },
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              resources,
              securityContext: hardened,
              volumeMounts: tmp,
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

function overlay({ deployment = fleetDeployment(), shutdownDeadlineMs = '10000', extra = [] } = {}) {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kera-config' }, data: { SHUTDOWN_DEADLINE_MS: shutdownDeadlineMs } },
    deployment,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'fleet', labels: labels('fleet') },
      spec: { selector: { 'app.kubernetes.io/name': 'fleet' }, ports: [{ name: 'grpc', port: 50052, targetPort: 'grpc' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'fleet' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'fleet' } } },
    },
    ...extra,
  ];
}

const render = (objects) => objects.map((o) => stringify(o)).join('---\n');
const problemsOf = (objects) => validateRendered(render(objects), 'test.yaml');
const container = (deployment) => deployment.spec.template.spec.containers[0];

describe('validate.mjs', () => {
  it('passes a rendering that follows every rule', async () => {
    assert.deepEqual(await problemsOf(overlay()), []);
  });

  it('reports a misspelt field that the schema would silently accept', async () => {
    const deployment = fleetDeployment();
    const main = container(deployment);
    main.readinesProbe = main.readinessProbe;
    delete main.readinessProbe;
    const problems = await problemsOf(overlay({ deployment }));
    assert.ok(problems.includes('test.yaml: Deployment/fleet: unknown field spec.template.spec.containers.0.readinesProbe'), problems.join('\n'));
    assert.ok(problems.some((p) => p.endsWith('container fleet: readinessProbe missing')));
  });

  it('reports a value of the wrong type', async () => {
    const deployment = fleetDeployment();
    deployment.spec.replicas = 'one';
    const [problem] = await problemsOf(overlay({ deployment }));
    assert.match(problem, /Deployment\/fleet: schema: .*replicas/);
  });

  it('reports a kind it has no schema for instead of passing it', async () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    assert.deepEqual(await problemsOf(overlay({ extra: [widget] })), [
      'test.yaml: Widget/w: no schema for example.com/v1 Widget (add its kubernetes-models package)',
    ]);
  });

  it('reports YAML that does not parse', async () => {
    const problems = await validateRendered('kind: [unclosed\n', 'broken.yaml');
    assert.ok(problems.some((p) => p.startsWith('broken.yaml: YAML:')), problems.join('\n'));
  });
});

describe('Kera policy', () => {
  it('requires a read-only root filesystem in every container, init containers included', async () => {
    const deployment = fleetDeployment();
    deployment.spec.template.spec.initContainers[0].securityContext = { ...hardened, readOnlyRootFilesystem: false };
    assert.deepEqual(await problemsOf(overlay({ deployment })), [
      'test.yaml: Deployment/fleet: container topics: readOnlyRootFilesystem must be true',
    ]);
  });

  it('lets fleet run several replicas, since they share the vehicle link through Redis', async () => {
    const deployment = fleetDeployment();
    deployment.spec.replicas = 3;
    assert.deepEqual(await problemsOf(overlay({ deployment })), []);
  });

  it('requires a grace period longer than preStop plus the shutdown deadline', async () => {
    assert.deepEqual(await problemsOf(overlay({ shutdownDeadlineMs: '25000' })), [
      'test.yaml: Deployment/fleet: terminationGracePeriodSeconds 30s does not exceed preStop 5000 ms + SHUTDOWN_DEADLINE_MS 25000 ms',
    ]);
  });

  it('refuses rendered Secrets and untagged images', async () => {
    const deployment = fleetDeployment();
    container(deployment).image = 'kera/fleet';
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kera-fleet' }, stringData: { AUTH_SIGNING_KEY: 'x' } };
    assert.deepEqual(await problemsOf(overlay({ deployment, extra: [secret] })), [
      'test.yaml: Secret/kera-fleet: Secrets are created per cluster, never rendered from the repo',
      'test.yaml: Deployment/fleet: container fleet: image kera/fleet needs an explicit tag or digest (not latest)',
    ]);
  });

  it('refuses plaintext gRPC and Kafka in a production namespace, and not elsewhere', async () => {
    const production = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kera', labels: { 'kera/environment': 'production' } } };
    assert.deepEqual(await problemsOf(overlay()), []);
    const problems = await problemsOf(overlay({ extra: [production] }));
    assert.ok(problems.includes('test.yaml: Deployment/fleet: container: gRPC is plaintext: set GRPC_TLS_CERT and GRPC_TLS_KEY'), problems.join('\n'));
    assert.ok(problems.includes('test.yaml: Deployment/fleet: container: Kafka is plaintext: set KAFKA_TLS=true'), problems.join('\n'));
  });

  it('reports a Service port that the pods do not have', async () => {
    const objects = overlay();
    objects[2].spec.ports[0].targetPort = 'grcp';
    assert.deepEqual(await problemsOf(objects), ['test.yaml: Service/fleet: targetPort grcp is not a port of Deployment/fleet']);
  });
});

describe('dockerfiles.mjs', () => {
  function repo({ copies }) {
    const root = mkdtempSync(join(tmpdir(), 'deploy-check-'));
    const write = (path, text) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('package.json', JSON.stringify({ workspaces: ['proto', 'services/*'] }));
    write('proto/package.json', '{}');
    write('services/fleet/package.json', '{}');
    write('services/fleet/src/main.ts', '');
    const target = 'EXPOSE 50052\nCMD ["node", "services/fleet/dist/src/main.js"]\n';
    write(
      'deploy/docker/Dockerfile',
      `FROM node AS build\n${copies.map((d) => `COPY ${d}/package.json ${d}/\n`).join('')}RUN npm ci\nFROM build AS runtime\nFROM runtime AS fleet\n${target}`,
    );
    write('services/fleet/Dockerfile', `ARG KERA_RUNTIME=kera/runtime:dev\nFROM \${KERA_RUNTIME}\n${target}`);
    write('docker-compose.yml', 'services:\n  fleet:\n    build: { context: ., dockerfile: deploy/docker/Dockerfile, target: fleet }\n');
    return root;
  }

  it('accepts a Dockerfile that copies every workspace manifest', () => {
    const root = repo({ copies: ['proto', 'services/fleet'] });
    try {
      assert.deepEqual(dockerProblems(root), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports a workspace whose manifest the build stage does not copy', () => {
    const root = repo({ copies: ['proto'] });
    try {
      assert.deepEqual(dockerProblems(root), ['deploy/docker/Dockerfile: build stage does not copy services/fleet/package.json before npm ci']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('passes on this repository', () => {
    assert.deepEqual(dockerProblems(join(import.meta.dirname, '..', '..')), []);
  });
});
