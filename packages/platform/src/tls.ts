import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Transport security settings every service reads (file paths, so Kubernetes
 * Secrets mounted as files rotate without a rebuild). Plaintext when unset:
 * the local default, which the prod overlay's policy check refuses.
 */
export const tlsConfigSchema = {
  /** Server certificate chain (PEM) for this service's gRPC server; with GRPC_TLS_KEY turns TLS on. */
  GRPC_TLS_CERT: z.string().min(1).optional(),
  GRPC_TLS_KEY: z.string().min(1).optional(),
  /** CA bundle that signs client certificates; when set, the server requires one (mTLS). */
  GRPC_TLS_CLIENT_CA: z.string().min(1).optional(),
  /** CA bundle this service trusts when it calls another service over gRPC (TLS on when set). */
  GRPC_TLS_CA: z.string().min(1).optional(),
};

export interface ServerTlsFiles {
  GRPC_TLS_CERT?: string | undefined;
  GRPC_TLS_KEY?: string | undefined;
  GRPC_TLS_CLIENT_CA?: string | undefined;
}

const read = (what: string, path: string): Buffer => {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError([`${what}: cannot read ${path} (${(err as Error).message})`]);
  }
};

/** Insecure without a certificate; TLS with one; mTLS when a client CA is given too. */
export function serverCredentials(files: ServerTlsFiles = {}): grpc.ServerCredentials {
  const { GRPC_TLS_CERT: cert, GRPC_TLS_KEY: key, GRPC_TLS_CLIENT_CA: clientCa } = files;
  if (!cert && !key) {
    if (clientCa) throw new ConfigError(['GRPC_TLS_CLIENT_CA: needs GRPC_TLS_CERT and GRPC_TLS_KEY (mTLS is TLS first)']);
    return grpc.ServerCredentials.createInsecure();
  }
  if (!cert || !key) throw new ConfigError([`${cert ? 'GRPC_TLS_KEY' : 'GRPC_TLS_CERT'}: required when the other is set`]);
  const keyCertPairs = [{ cert_chain: read('GRPC_TLS_CERT', cert), private_key: read('GRPC_TLS_KEY', key) }];
  return clientCa
    ? grpc.ServerCredentials.createSsl(read('GRPC_TLS_CLIENT_CA', clientCa), keyCertPairs, true)
    : grpc.ServerCredentials.createSsl(null, keyCertPairs, false);
}

/**
 * Credentials for calling a Kera gRPC server: TLS trusting `ca` when given
 * (plus a client certificate for mTLS), else plaintext.
 */
export function channelCredentials(files: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined } = {}): grpc.ChannelCredentials {
  if (!files.ca) return grpc.credentials.createInsecure();
  const cert = files.cert ? read('client certificate', files.cert) : null;
  const key = files.key ? read('client key', files.key) : null;
  return grpc.credentials.createSsl(read('GRPC_TLS_CA', files.ca), key, cert);
}
