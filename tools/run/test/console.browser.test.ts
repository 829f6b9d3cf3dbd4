/**
 * The operator console in headless Chromium (Debian's package, driven by
 * playwright-core) against the whole system with the simulator: a wrong
 * token is refused, an operator signs in, vehicles and a route appear on the
 * map, and a submitted job's state changes in the list. Leaves a screenshot
 * in test-results/console.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { bearerInterceptor, generateKeyPair, issueToken, parseSigningKey, type Principal } from '@kera/platform';
import { JobServiceClient, type SubmitJobResponse } from '@kera/proto/fleet/v1/jobs';
import { testInfra, uniqueName } from '@kera/testkit';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, launch, serviceSpecs, stopAll, waitReady, type Ports, type Running } from '../src/launcher.js';
import { startRoundRobinProxy, type TcpProxy } from '../src/tcp-proxy.js';

// Fixed ports below Linux's ephemeral range (32768–60999), so no port-0 listener or outgoing
// connection of a test running alongside can take one first.
const PORTS: Ports = {
  routingGrpc: 21251,
  fleetGrpc: 21252,
  notifyGrpc: 21253,
  ingestOps: 9290,
  routingOps: 9291,
  fleetReplicas: [
    { grpc: 21262, ops: 9292 },
    { grpc: 21272, ops: 9294 },
  ],
  notifyOps: 9293,
  notifyConsole: 9295,
};
const CONSOLE = `http://127.0.0.1:${PORTS.notifyConsole}/console/`;
const PICKUP = { lat: 60.1865, lon: 24.827 };
const DROPOFF = { lat: 60.18926, lon: 24.83495 };
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

const KEYS = generateKeyPair('console-browser');
const tokenFor = (principal: Principal) => issueToken(parseSigningKey(KEYS.signingKey), principal, { issuer: 'kera', audience: 'kera', ttlSeconds: 600 });

describe('operator console in a browser', { timeout: 300_000 }, () => {
  const run = uniqueName('console');
  const operator = `${run}-operator`;
  const processes: Running[] = [];
  const logs: string[] = [];
  let proxy: TcpProxy | undefined;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const infra = await testInfra();
    const shared = { KAFKA_BROKERS: infra.kafkaBrokers.join(','), REDIS_URL: infra.redisUrl, LOG_LEVEL: 'info', SHUTDOWN_DEADLINE_MS: '5000', AUTH_PUBLIC_KEYS: KEYS.publicKeys };
    const specs = serviceSpecs(PORTS, shared).map((spec) => ({
      ...spec,
      // Own consumer groups too: the end-to-end test may run a whole system on the same broker at the same time.
      env: {
        ...spec.env,
        REDIS_PREFIX: `${run}:${spec.service ?? spec.name}`,
        DISPATCH_QUEUE: `${run}-dispatch`,
        DISPATCH_RETRY_MS: '500',
        KAFKA_GROUP_ID: `${run}-notify`,
        INGEST_GROUP_ID: `${run}-ingest`,
        ETA_GROUP_ID: `${run}-fleet-eta`,
      },
    }));
    const onLine = (service: string, line: string) => logs.push(`${service} ${line}`);
    for (const spec of specs) processes.push(launch(spec, onLine));
    await Promise.all(specs.map((spec, i) => waitReady(processes[i]!, spec.opsPort!, 120_000)));
    proxy = await startRoundRobinProxy({ port: PORTS.fleetGrpc, targets: PORTS.fleetReplicas.map((r) => r.grpc) });
    const simEnv = { ...shared, FLEET_ADDR: `127.0.0.1:${PORTS.fleetGrpc}`, AUTH_SIGNING_KEY: KEYS.signingKey, SIM_ROBOTS: '3', SIM_SHUTTLES: '1', SIM_SPEEDUP: '8', SIM_FEED: 'false' };
    processes.push(launch({ name: 'sim', entry: 'tools/sim/dist/src/main.js', env: simEnv }, onLine));
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await stopAll(processes.reverse(), 15_000);
    await proxy?.close();
    if (process.env.E2E_SHOW_LOGS === '1') for (const line of logs) console.log(line);
  });

  it('refuses a wrong token: the sign-in form says why and the APIs answer 401 without data', async () => {
    await page.goto(CONSOLE);
    await page.fill('#token', 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl');
    await page.click('#sign-in-form button');
    await page.waitForSelector('#sign-in-error:has-text("Refused")');
    assert.equal(await page.isVisible('#sign-in'), true, 'still on the sign-in form');
    assert.equal(await page.locator('#vehicles tbody tr').count(), 0, 'no vehicle data shown');
    for (const path of ['console/api/snapshot', 'events']) {
      const res = await page.request.get(`http://127.0.0.1:${PORTS.notifyConsole}/${path}`);
      assert.equal(res.status(), 401, path);
    }
  });

  it('signs in as an operator: vehicles appear on the map, a submitted job changes state in the list and its route is drawn', async () => {
    await page.fill('#token', await tokenFor({ scope: 'operator', operatorId: operator }));
    await page.click('#sign-in-form button');
    await page.waitForSelector('#sign-in', { state: 'hidden' });
    await page.waitForSelector('#who:has-text("operator")');
    await page.waitForSelector('path.vehicle-marker', { timeout: 60_000 });
    await page.waitForSelector('#live:has-text("live")');
    await page.waitForSelector('path.leaflet-interactive, svg path', { timeout: 30_000 });

    const jobs = new JobServiceClient(`127.0.0.1:${PORTS.fleetGrpc}`, grpc.credentials.createInsecure(), {
      interceptors: [bearerInterceptor(() => tokenFor({ scope: 'operator', operatorId: operator }))],
    });
    const submitted = await new Promise<SubmitJobResponse>((resolve, reject) =>
      jobs.submitJob({ requestId: run, operatorId: '', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0 }, (err, res) => (err ? reject(err) : resolve(res))),
    );
    jobs.close();
    const id = submitted.job!.id;
    const row = `tr[data-job-id="${id}"]`;
    await page.waitForSelector(row, { timeout: 30_000 });
    const first = (await page.textContent(`${row} td.status`))!.trim();
    await page.waitForSelector('path.route-base', { timeout: 90_000 });
    // Evaluated in the page (a string, as this package is compiled without DOM types).
    const changed = `(() => { const now = document.querySelector(${JSON.stringify(`${row} td.status`)})?.textContent?.trim();
      return !!now && now !== ${JSON.stringify(first)} && /DISPATCHED|PICKED_UP|DELIVERED/.test(now); })()`;
    await page.waitForFunction(changed, undefined, { timeout: 120_000 });
    await page.click(row);
    await page.waitForSelector('#timeline:not([hidden]) .badge');
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-results/console.png') });
    assert.ok((await page.locator('path.vehicle-marker').count()) >= 1, 'vehicles on the map');
  });
});
