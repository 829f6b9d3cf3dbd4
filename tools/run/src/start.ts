/**
 * `npm start`: the whole system on one machine — Kafka and Redis (tools/stack),
 * every topic, the four services as separate processes, a demo webhook
 * receiver subscribed through notify, and the simulator (virtual robots and
 * shuttles plus a city traffic feed). Ctrl-C stops it all.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  SubscriptionServiceClient,
  type CreateSubscriptionResponse,
  type ListSubscriptionsResponse,
} from '@kera/proto/notify/v1/subscriptions';
import { bearerInterceptor } from '@kera/platform';
import { ensureDemoKeys } from './demo-keys.js';
import { DEFAULT_PORTS, ROOT, formatLogLine, launch, serviceSpecs, stopAll, waitReady, type Running } from './launcher.js';
import { startRoundRobinProxy } from './tcp-proxy.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const print = (line: string) => process.stdout.write(`${line}\n`);
const verbose = process.env.KERA_VERBOSE === '1';
const onLine = (service: string, line: string) => {
  // Info and above by default; the simulator's chatter only when asked for.
  if (verbose || !/"level":(10|20)\b/.test(line)) print(formatLogLine(service, line));
};

function stackUp(): Record<string, string> {
  const out = execFileSync('bash', [join(ROOT, 'tools/stack/stack.sh'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
}

async function main(): Promise<void> {
  const stackEnv = stackUp();
  const { STACK_STARTED: _started, ...connection } = stackEnv;
  const keys = ensureDemoKeys(join(ROOT, '.kera'));
  // Services get only the public keys; the simulator gets the private key to issue its vehicles' tokens.
  const shared = { ...connection, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', AUTH_PUBLIC_KEYS: keys.publicKeysPath };
  execFileSync(process.execPath, [join(ROOT, 'tools/run/dist/src/topics.js')], { env: { ...process.env, ...shared }, stdio: 'inherit' });

  const processes: Running[] = [];
  let stopping = false;
  const closers: Array<() => Promise<void>> = [];
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    print('\nstopping Kera…');
    await stopAll([...processes].reverse(), 15_000);
    for (const close of closers) await close();
    const started = (stackEnv.STACK_STARTED ?? '').split(' ').filter(Boolean);
    if (started.length > 0) execFileSync('bash', [join(ROOT, 'tools/stack/stack.sh'), 'down', ...started], { stdio: 'inherit' });
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  const ports = DEFAULT_PORTS;
  const demoWebhookPort = Number(process.env.DEMO_WEBHOOK_PORT ?? 8088);
  // notify refuses loopback destinations; the demo receiver is the one it may reach.
  const specs = serviceSpecs(ports, shared).map((spec) =>
    spec.name === 'notify' ? { ...spec, env: { ...spec.env, WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${demoWebhookPort}` } } : spec,
  );
  for (const spec of specs) {
    const running = launch(spec, onLine);
    processes.push(running);
    void running.exited.then((code) => {
      if (stopping) return;
      // A fleet replica may die (try kill -9): its vehicles reconnect to another one.
      const survivors = processes.filter((p) => p !== running && p.name.startsWith(`${spec.service}-`) && p.child.exitCode === null && p.child.signalCode === null);
      if (spec.service && survivors.length > 0) {
        print(`${spec.name} exited (code ${code}, signal ${running.child.signalCode ?? '-'}); ${survivors.map((p) => p.name).join(', ')} carry on`);
        return;
      }
      print(`${spec.name} exited unexpectedly (code ${code}); stopping`);
      void stop(1);
    });
  }
  await Promise.all(specs.map((spec, i) => waitReady(processes[i]!, spec.opsPort!, 120_000)));
  const fleetProxy = await startRoundRobinProxy({ port: ports.fleetGrpc, targets: ports.fleetReplicas.map((r) => r.grpc) });
  closers.push(() => fleetProxy.close());

  let secret = '';
  const receiver = await startWebhookReceiver({
    port: demoWebhookPort,
    secret: () => secret,
    onWebhook: (w) => print(`${'webhook'.padEnd(8)} ${w.signatureValid ? 'signed ' : 'INVALID'} ${w.type} job=${w.body.data.job.id} vehicle=${String(w.body.data.job.vehicleId ?? '-')}`),
  });
  closers.push(() => receiver.close());
  const operatorToken = await keys.issue({ scope: 'operator', operatorId: 'demo' }, 24 * 3600);
  const adminToken = await keys.issue({ scope: 'admin', adminId: 'demo-admin' }, 24 * 3600);
  const subscriptions = new SubscriptionServiceClient(`127.0.0.1:${ports.notifyGrpc}`, grpc.credentials.createInsecure(), {
    interceptors: [bearerInterceptor(operatorToken)],
  });
  const call = <Res>(invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => void) =>
    new Promise<Res>((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));
  // Subscriptions outlive a run (they are in Redis); an earlier run's demo
  // subscription to this receiver signs with a secret this run does not know.
  const { subscriptions: existing } = await call<ListSubscriptionsResponse>((cb) => subscriptions.listSubscriptions({ operatorId: '' }, cb));
  for (const old of existing.filter((s) => s.url === receiver.url)) {
    await call((cb) => subscriptions.deleteSubscription({ subscriptionId: old.id }, cb));
  }
  const created = await call<CreateSubscriptionResponse>((cb) =>
    subscriptions.createSubscription({ operatorId: '', url: receiver.url, eventTypes: ['job.*'], secret: '' }, cb),
  );
  secret = created.secret;
  subscriptions.close();

  const sim = launch(
    { name: 'sim', entry: 'tools/sim/dist/src/main.js', env: { ...shared, FLEET_ADDR: `127.0.0.1:${ports.fleetGrpc}`, AUTH_SIGNING_KEY: keys.signingKeyPath } },
    onLine,
  );
  processes.push(sim);

  print(`
Kera is running.
  gRPC  routing 127.0.0.1:${ports.routingGrpc}   fleet 127.0.0.1:${ports.fleetGrpc} (${ports.fleetReplicas.length} replicas behind a round-robin proxy)   notify 127.0.0.1:${ports.notifyGrpc}
  ops   /healthz /readyz /metrics on ports ${ports.ingestOps} (ingest) ${ports.routingOps} (routing) ${ports.fleetReplicas.map((r) => r.ops).join(', ')} (fleet) ${ports.notifyOps} (notify)
  demo webhook receiver ${receiver.url} (operator "demo", events job.*)

Operator console: http://127.0.0.1:${ports.notifyConsole ?? 8090}/console/  (sign in with a token below; the admin one also opens Queues)

Every call presents a bearer token (valid 24 h; signing key ${keys.signingKeyPath}, git-ignored).
In another terminal, as operator "demo":
  export KERA_TOKEN=${operatorToken}
  npm run kera -- vehicles list
  npm run kera -- jobs submit --pickup 60.1862,24.8264 --dropoff 60.1843,24.8318
  npm run kera -- jobs watch
As admin (every operator's jobs; pause, resume, cancel vehicles):
  export KERA_TOKEN=${adminToken}
  npm run kera -- vehicles pause robot-1
More tokens: npm run kera -- tokens issue --operator ID | --vehicle ID | --admin [--ttl 12h]
Ctrl-C stops everything.
`);
}

main().catch((err: unknown) => {
  process.stderr.write(`kera failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
