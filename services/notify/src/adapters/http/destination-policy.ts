import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses notify may POST to. Webhook URLs come from operators, so a
 * URL (or a DNS name that later resolves differently) must not reach notify's
 * own network: loopback, private, link-local, cloud metadata and other
 * non-public ranges are refused unless the allowlist names them.
 */
export interface DestinationPolicy {
  /** Why this resolved address may not be used for host:port, or undefined when it may. */
  problem(host: string, port: number, address: string): string | undefined;
}

/** Metadata services reachable from cloud instances; some are outside the link-local range. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '168.63.129.16', '100.100.100.200', 'fd00:ec2::254']);

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  carrierGradeNat: 'private (carrier-grade NAT)',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

interface AllowEntry {
  host?: string;
  range?: [ipaddr.IPv4 | ipaddr.IPv6, number];
  port?: number;
}

const stripBrackets = (host: string): string => host.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** `host`, `host:port`, `[v6]:port`, an IP address or a CIDR range. Throws on a malformed entry. */
export function parseAllowEntry(raw: string): AllowEntry {
  const entry = raw.trim();
  if (entry.includes('/')) {
    try {
      return { range: ipaddr.parseCIDR(entry) };
    } catch {
      throw new Error(`"${raw}" is not a valid CIDR range`);
    }
  }
  if (isIP(stripBrackets(entry))) {
    const address = ipaddr.process(stripBrackets(entry));
    return { range: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry);
  const host = stripBrackets(match ? match[1]! : entry);
  const port = match ? Number(match[2]) : undefined;
  if (!host || /\s/.test(host)) throw new Error(`"${raw}" is not a host, host:port, IP address or CIDR range`);
  if (isIP(host)) {
    const address = ipaddr.process(host);
    return { range: [address, address.kind() === 'ipv4' ? 32 : 128], port };
  }
  return { host, port };
}

/** Why an address is not public, or undefined for a public unicast address. */
export function nonPublicReason(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.process(address);
  if (METADATA_ADDRESSES.has(parsed.toString())) return 'a cloud metadata address';
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  const name = RANGE_NAMES[range] ?? `reserved (${range})`;
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} address`;
}

export function createDestinationPolicy(allowlist: readonly string[]): DestinationPolicy {
  const entries = allowlist.map(parseAllowEntry);
  const allowed = (host: string, port: number, address: string): boolean => {
    const parsed = ipaddr.isValid(address) ? ipaddr.process(address) : undefined;
    return entries.some((entry) => {
      if (entry.port !== undefined && entry.port !== port) return false;
      if (entry.host) return entry.host === stripBrackets(host);
      const [base, bits] = entry.range!;
      return parsed !== undefined && parsed.kind() === base.kind() && parsed.match(base, bits);
    });
  };
  return {
    problem(host, port, address) {
      const reason = nonPublicReason(address);
      if (reason === undefined || allowed(host, port, address)) return undefined;
      const name = stripBrackets(host);
      const what = name === address ? `${address} is ${reason}` : `${name} resolves to ${address}, ${reason}`;
      return `${what}; refused unless WEBHOOK_ALLOWED_HOSTS names it`;
    },
  };
}
