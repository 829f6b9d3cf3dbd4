import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface Ports {
  routingGrpc: number;
  /** The one fleet address: a round-robin proxy in front of the replicas. */
  fleetGrpc: number;
  notifyGrpc: number;
  ingestOps: number;
  routingOps: number;
  /** Each fleet replica's own gRPC and ops ports. */
  fleetReplicas: Array<{ grpc: number; ops: number }>;
  notifyOps: number;
  /** notify's operator console (HTTP: /console, /events); a free port when unset. */
  notifyConsole?: number;
}

export const DEFAULT_PORTS: Ports = {
  routingGrpc: 50051,
  fleetGrpc: 50052,
  notifyGrpc: 50053,
  ingestOps: 9100,
  routingOps: 9101,
  fleetReplicas: [
    { grpc: 50062, ops: 9102 },
    { grpc: 50072, ops: 9112 },
  ],
  notifyOps: 9103,
  notifyConsole: 8090,
};

export interface ServiceSpec {
  /** The process (fleet-1, fleet-2 …). */
  name: string;
  /** The deployable it runs (fleet); replicas of one service share its Redis names. */
  service?: string;
  entry: string;
  env: Record<string, string>;
  opsPort?: number;
}

/**
 * The four services, each a separate process, wired to one another by
 * address only; fleet as several replicas (clients reach them through the
 * proxy on `fleetGrpc`, see tcp-proxy.ts).
 */
export function serviceSpecs(ports: Ports, shared: Record<string, string>): ServiceSpec[] {
  const fleetReplicas = ports.fleetReplicas.map(
    (replica, i): ServiceSpec => ({
      name: `fleet-${i + 1}`,
      service: 'fleet',
      entry: 'services/fleet/dist/src/main.js',
      opsPort: replica.ops,
      env: { ...shared, GRPC_PORT: String(replica.grpc), OPS_PORT: String(replica.ops), ROUTING_ADDR: `127.0.0.1:${ports.routingGrpc}`, REPLICA_ID: `fleet-${i + 1}` },
    }),
  );
  return [
    { name: 'routing', entry: 'services/routing/dist/src/main.js', opsPort: ports.routingOps, env: { ...shared, GRPC_PORT: String(ports.routingGrpc), OPS_PORT: String(ports.routingOps) } },
    { name: 'ingest', entry: 'services/ingest/dist/src/main.js', opsPort: ports.ingestOps, env: { ...shared, OPS_PORT: String(ports.ingestOps) } },
    ...fleetReplicas,
    {
      name: 'notify',
      entry: 'services/notify/dist/src/main.js',
      opsPort: ports.notifyOps,
      env: {
        ...shared,
        GRPC_PORT: String(ports.notifyGrpc),
        OPS_PORT: String(ports.notifyOps),
        ROUTING_ADDR: `127.0.0.1:${ports.routingGrpc}`,
        FLEET_ADDR: `127.0.0.1:${ports.fleetGrpc}`,
        CONSOLE_PORT: String(ports.notifyConsole ?? 0),
      },
    },
  ];
}

export interface Running {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Start a Node entry point on the same Node binary, its output going to `onLine`,
 * with tracing loaded before it (as every service's start script and image do).
 */
export function launch(spec: ServiceSpec, onLine: (service: string, line: string) => void): Running {
  const child = spawn(process.execPath, ['--import', '@kera/platform/register', join(ROOT, spec.entry)], {
    cwd: ROOT,
    // Traces name the service, and which replica of it (fleet-1, fleet-2).
    env: { OTEL_SERVICE_NAME: spec.service ?? spec.name, OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${spec.name}`, ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) onLine(spec.name, line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name: spec.name, child, exited };
}

/** Wait until /readyz answers 200, or fail with what was last seen. */
export async function waitReady(running: Running, opsPort: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void running.exited.then((code) => (exitCode = code));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${running.name} exited with code ${exitCode} before it was ready`);
    try {
      const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${running.name} not ready after ${timeoutMs} ms (${last})`);
}

/** SIGTERM everything, wait for graceful exits, SIGKILL what is left after the deadline. */
export async function stopAll(processes: Running[], deadlineMs: number): Promise<void> {
  for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }, deadlineMs);
  await Promise.all(processes.map((p) => p.exited));
  clearTimeout(timer);
}

/** One readable line per pino record: "fleet    info  order sent jobId=… vehicleId=…". */
export function formatLogLine(service: string, line: string): string {
  const tag = service.padEnd(8);
  try {
    const rec = JSON.parse(line) as Record<string, unknown>;
    const level = ({ 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>)[rec.level as number] ?? '?';
    const skip = new Set(['level', 'time', 'pid', 'hostname', 'name', 'service', 'msg']);
    const fields = Object.entries(rec)
      .filter(([k]) => !skip.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    return `${tag} ${level.padEnd(5)} ${String(rec.msg ?? '')} ${fields}`.trimEnd();
  } catch {
    return `${tag} ${line}`;
  }
}
