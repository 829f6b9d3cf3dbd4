/**
 * `kera tokens issue` and `kera tokens keygen`: local commands, no server.
 * Issuing needs the private signing key, from --key, AUTH_SIGNING_KEY (JSON
 * or a path) or the demo key `npm start` writes to .kera/signing-key.json.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TOKEN_AUDIENCE, generateKeyPair, issueToken, parseSigningKey, readKeyText, type Principal } from '@kera/platform/auth';

export const DEMO_KEY_DIR = '.kera';
const SIGNING_KEY_FILE = 'signing-key.json';
const PUBLIC_KEYS_FILE = 'public-keys.json';

export type TokenCommand =
  | { kind: 'tokens.issue'; principal: Principal; ttlSeconds: number; key: string | undefined }
  | { kind: 'tokens.keygen'; dir: string; kid: string | undefined };

interface TokenIO {
  env: Readonly<Record<string, string | undefined>>;
  stdout(line: string): void;
  stderr(line: string): void;
  cwd: string;
}

/** Refused local work (no key, unreadable key): exit 1 with the message. */
export class TokenCommandError extends Error {
  override readonly name = 'TokenCommandError';
}

function signingKeySource(command: { key: string | undefined }, io: TokenIO): string {
  if (command.key) return command.key;
  if (io.env.AUTH_SIGNING_KEY) return io.env.AUTH_SIGNING_KEY;
  const demo = join(io.cwd, DEMO_KEY_DIR, SIGNING_KEY_FILE);
  if (existsSync(demo)) return demo;
  throw new TokenCommandError(`no signing key: pass --key FILE, set AUTH_SIGNING_KEY, or run npm start once (it writes ${DEMO_KEY_DIR}/${SIGNING_KEY_FILE})`);
}

export async function runTokenCommand(command: TokenCommand, io: TokenIO, json: boolean): Promise<number> {
  switch (command.kind) {
    case 'tokens.issue': {
      let key;
      try {
        key = parseSigningKey(readKeyText(signingKeySource(command, io)));
      } catch (err) {
        if (err instanceof TokenCommandError) throw err;
        throw new TokenCommandError((err as Error).message);
      }
      const issuer = io.env.AUTH_ISSUER || DEFAULT_TOKEN_AUDIENCE.issuer;
      const audience = io.env.AUTH_AUDIENCE || DEFAULT_TOKEN_AUDIENCE.audience;
      const token = await issueToken(key, command.principal, { issuer, audience, ttlSeconds: command.ttlSeconds });
      const expiresAt = new Date(Date.now() + command.ttlSeconds * 1000).toISOString();
      io.stdout(json ? JSON.stringify({ token, ...command.principal, expiresAt }) : token);
      return 0;
    }
    case 'tokens.keygen':
      return keygen(command, io, json);
    default: {
      const never: never = command;
      throw new Error(`unknown command ${String(never)}`);
    }
  }
}

/**
 * A new key pair. The private key goes to <dir>/signing-key.json (mode 600);
 * its public key is added to <dir>/public-keys.json, keeping the keys already
 * there, so services trust old and new tokens during a rotation.
 */
function keygen(command: { dir: string; kid: string | undefined }, io: TokenIO, json: boolean): number {
  const dir = join(io.cwd, command.dir);
  const signingPath = join(dir, SIGNING_KEY_FILE);
  const publicPath = join(dir, PUBLIC_KEYS_FILE);
  const pair = generateKeyPair(command.kid);
  const existing = existsSync(publicPath) ? ((JSON.parse(readFileSync(publicPath, 'utf8')) as { keys?: unknown[] }).keys ?? []) : [];
  if (existing.some((k) => (k as { kid?: string }).kid === pair.kid)) throw new TokenCommandError(`${publicPath} already has a key ${pair.kid}; pass another --kid`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(signingPath, `${pair.signingKey}\n`, { mode: 0o600 });
  chmodSync(signingPath, 0o600);
  const keys = [...existing, ...(JSON.parse(pair.publicKeys) as { keys: unknown[] }).keys];
  writeFileSync(publicPath, `${JSON.stringify({ keys }, null, 2)}\n`);
  const view = { kid: pair.kid, signingKey: signingPath, publicKeys: publicPath, publicKeyCount: keys.length };
  io.stdout(
    json
      ? JSON.stringify(view)
      : `new key ${pair.kid}\n  private (for kera tokens issue; keep secret): ${signingPath}\n  public  (AUTH_PUBLIC_KEYS of every service, ${keys.length} key${keys.length === 1 ? '' : 's'}): ${publicPath}`,
  );
  return 0;
}
