/** `kera tokens …`: parsed like every other command (see args.ts), run locally (tokens.ts). */
import { ArgumentError, parseDuration, parsePrincipalId } from './values.js';
import type { CommandSpec, Values } from './args.js';
import { DEMO_KEY_DIR } from './tokens.js';

/** Default token lifetime of `kera tokens issue`. */
const DEFAULT_TOKEN_TTL = '12h';

const str = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

export const TOKEN_COMMANDS: Record<string, CommandSpec> = {
  issue: {
    usage: `kera tokens issue (--operator ID | --vehicle ID | --admin [NAME]) [--ttl 30m|12h|7d] [--key FILE]`,
    summary: `print a signed bearer token (default ttl ${DEFAULT_TOKEN_TTL}); the key comes from --key, AUTH_SIGNING_KEY or ${DEMO_KEY_DIR}/signing-key.json`,
    options: { operator: { type: 'string' }, vehicle: { type: 'string' }, admin: { type: 'boolean' }, ttl: { type: 'string' }, key: { type: 'string' } },
    positionals: ['name?'],
    build: (v, [name]) => {
      const chosen = [str(v, 'operator') !== undefined, str(v, 'vehicle') !== undefined, v.admin === true].filter(Boolean).length;
      if (chosen !== 1) throw new ArgumentError('give exactly one of --operator ID, --vehicle ID, --admin');
      if (name !== undefined && v.admin !== true) throw new ArgumentError(`unexpected argument '${name}'`);
      const operator = str(v, 'operator');
      const vehicle = str(v, 'vehicle');
      const principal =
        operator !== undefined
          ? { scope: 'operator' as const, operatorId: parsePrincipalId('operator', operator) }
          : vehicle !== undefined
            ? { scope: 'vehicle' as const, vehicleId: parsePrincipalId('vehicle', vehicle) }
            : { scope: 'admin' as const, adminId: parsePrincipalId('admin', name ?? 'admin') };
      return { kind: 'tokens.issue', principal, ttlSeconds: parseDuration('ttl', str(v, 'ttl') ?? DEFAULT_TOKEN_TTL), key: str(v, 'key') };
    },
  },
  keygen: {
    usage: `kera tokens keygen [--dir ${DEMO_KEY_DIR}] [--kid ID]`,
    summary: 'write a new signing key and add its public key to public-keys.json (keeping older ones, for rotation)',
    options: { dir: { type: 'string' }, kid: { type: 'string' } },
    positionals: [],
    build: (v) => ({ kind: 'tokens.keygen', dir: str(v, 'dir') ?? DEMO_KEY_DIR, kid: str(v, 'kid') }),
  },
};
