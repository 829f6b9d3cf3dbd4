/**
 * What authentication costs a call: a unary gRPC round trip on a real
 * socket, bare (the baseline) and through the auth wrapper with a bearer
 * token, in the same run; plus the signature check itself, first sight
 * (distinct tokens) and repeated (one token: the verifier's cache).
 *   npm run bench:auth   → bench/results/auth.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { bearerInterceptor, createTokenVerifier, generateKeyPair, issueToken, parseSigningKey, parseVerificationKeys } from '../src/auth/index.js';
import { createGrpcAuth } from '../src/grpc-auth.js';
import { createLogger } from '../src/logger.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 3_000);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 2_000);
const audience = { issuer: 'kera', audience: 'kera' };
const pair = generateKeyPair('bench');
const key = parseSigningKey(pair.signingKey);
const verifier = createTokenVerifier({ ...audience, keys: parseVerificationKeys(pair.publicKeys) });
const log = createLogger({ name: 'auth-bench', level: 'silent' });

const bytes = (b: Buffer) => b;
const method = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: bytes,
  requestDeserialize: bytes,
  responseSerialize: bytes,
  responseDeserialize: bytes,
});
const service = { bare: method('/bench.Echo/Bare'), authed: method('/bench.Echo/Authed') };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (ms: number) => Math.round(ms * 1000) / 1000;

type Timing = { p50Ms: number; p99Ms: number; perSecond: number };

/**
 * Bare and authenticated calls in alternating rounds, so both see the same
 * machine load (the cores are shared) and neither gets all the warm-up.
 */
async function timeCalls(client: grpc.Client, paths: [string, string], rounds = 10): Promise<[Timing, Timing]> {
  const call = (path: string) =>
    new Promise<void>((resolve, reject) => client.makeUnaryRequest(path, bytes, bytes, Buffer.from('ping'), (err) => (err ? reject(err) : resolve())));
  for (let i = 0; i < 200; i++) await call(paths[i % 2]!); // warm-up
  const latencies: [number[], number[]] = [[], []];
  const elapsed = [0, 0];
  for (let round = 0; round < rounds; round++) {
    for (const which of [0, 1] as const) {
      const started = performance.now();
      for (let i = 0; i < CALLS / rounds; i++) {
        const t = performance.now();
        await call(paths[which]);
        latencies[which].push(performance.now() - t);
      }
      elapsed[which]! += performance.now() - started;
    }
  }
  return latencies.map((list, which) => {
    list.sort((a, b) => a - b);
    return { p50Ms: round(percentile(list, 50)), p99Ms: round(percentile(list, 99)), perSecond: Math.round((list.length / elapsed[which]!) * 1000) };
  }) as [Timing, Timing];
}

async function verifyRate(tokens: string[]): Promise<number> {
  const started = performance.now();
  for (const token of tokens) await verifier.verify(token);
  return Math.round((tokens.length / (performance.now() - started)) * 1000);
}

async function main(): Promise<void> {
  const auth = createGrpcAuth(verifier);
  const server = new grpc.Server();
  server.addService(service, {
    bare: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request),
    authed: auth.unary<Buffer, Buffer>(log, ['operator', 'admin'], async (request) => request),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const token = await issueToken(key, { scope: 'operator', operatorId: 'bench' }, { ...audience, ttlSeconds: 3600 });
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { interceptors: [bearerInterceptor(token)] });

  const [baseline, authed] = await timeCalls(client, [service.bare.path, service.authed.path]);
  const distinct = await Promise.all(Array.from({ length: TOKENS }, (_, i) => issueToken(key, { scope: 'operator', operatorId: `op-${i}` }, { ...audience, ttlSeconds: 3600 })));
  const firstSight = await verifyRate(distinct);
  const repeated = await verifyRate(Array.from({ length: TOKENS }, () => token));
  client.close();
  server.forceShutdown();

  const results = {
    calls: CALLS,
    baselineP50Ms: baseline.p50Ms,
    baselineP99Ms: baseline.p99Ms,
    baselineCallsPerSecond: baseline.perSecond,
    authP50Ms: authed.p50Ms,
    authP99Ms: authed.p99Ms,
    authCallsPerSecond: authed.perSecond,
    verificationsPerSecondUncached: firstSight,
    verificationsPerSecondCached: repeated,
    algorithm: 'EdDSA (Ed25519)',
    node: process.version,
  };
  const dir = join(import.meta.dirname, '../../../../bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'auth.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

await main();
