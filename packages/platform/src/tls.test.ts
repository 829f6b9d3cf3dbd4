import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createGrpcServer, type GrpcServer } from './grpc.js';
import { createLogger } from './logger.js';
import { channelCredentials, type ServerTlsFiles } from './tls.js';

const log = createLogger({ name: 'tls-test', level: 'silent' });

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl now. */
function makeCertificates(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kera-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  const leaf = (name: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('robot-1', 'extendedKeyUsage=clientAuth\n');
  const at = (f: string) => join(dir, f);
  return { ca: at('ca.crt'), serverCert: at('server.crt'), serverKey: at('server.key'), clientCert: at('robot-1.crt'), clientKey: at('robot-1.key') };
}

/** grpc.health.v1 Check for the whole server: resolves with the status byte, rejects with the gRPC error. */
function healthCheck(port: number, credentials: grpc.ChannelCredentials): Promise<number> {
  const client = new grpc.Client(`127.0.0.1:${port}`, credentials);
  return new Promise<number>((resolve, reject) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (request: Buffer) => request,
      (response: Buffer) => response,
      Buffer.alloc(0),
      { deadline: Date.now() + 5_000 },
      (err, response) => (err ? reject(err) : resolve(response![1]!)),
    );
  }).finally(() => client.close());
}

const SERVING = 1;

describe('gRPC transport security', () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  const servers: GrpcServer[] = [];
  const start = async (tls: ServerTlsFiles) => {
    const server = createGrpcServer({ log, services: ['kera.fleet.v1.VehicleLink'], tls });
    servers.push(server);
    const port = await server.listen('127.0.0.1:0');
    server.setServing(true);
    return port;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kera-tls-'));
    certs = makeCertificates(dir);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close(1_000)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a client that trusts the CA over TLS, and refuses a plaintext client', async () => {
    const port = await start({ GRPC_TLS_CERT: certs.serverCert, GRPC_TLS_KEY: certs.serverKey });
    assert.equal(await healthCheck(port, channelCredentials({ ca: certs.ca })), SERVING);
    await assert.rejects(healthCheck(port, grpc.credentials.createInsecure()), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
  });

  it('under mTLS refuses a vehicle without a client certificate and serves one with a certificate from the CA', async () => {
    const port = await start({ GRPC_TLS_CERT: certs.serverCert, GRPC_TLS_KEY: certs.serverKey, GRPC_TLS_CLIENT_CA: certs.ca });
    await assert.rejects(healthCheck(port, channelCredentials({ ca: certs.ca })), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
    const vehicle = channelCredentials({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    assert.equal(await healthCheck(port, vehicle), SERVING);
  });

  it('refuses half a configuration at start, naming the missing setting', () => {
    assert.throws(() => createGrpcServer({ log, services: [], tls: { GRPC_TLS_CERT: certs.serverCert } }), /GRPC_TLS_KEY: required/);
    assert.throws(() => createGrpcServer({ log, services: [], tls: { GRPC_TLS_CLIENT_CA: certs.ca } }), /GRPC_TLS_CLIENT_CA: needs GRPC_TLS_CERT/);
  });
});
