import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { luaScript } from './lua.js';
import type { Clock, Command, CommandLedgerStore, LedgerEntry, ReplicaHeartbeats, SessionDirectory } from '../../app/ports.js';

/** The vehicle link's Redis keys, under fleet's prefix. */
export const linkKeys = (prefix: string) => ({
  commands: (vehicleId: string) => `${prefix}:link:commands:${vehicleId}`,
  sends: (vehicleId: string) => `${prefix}:link:sends:${vehicleId}`,
  withPending: `${prefix}:link:pending-vehicles`,
  sessions: `${prefix}:link:sessions`,
  replicas: `${prefix}:link:replicas`,
  cluster: `${prefix}:link:cluster`,
  nudges: (replicaId: string) => `${prefix}:link:nudge:${replicaId}`,
  sessionChanges: `${prefix}:link:session-changes`,
});

export type LinkKeys = ReturnType<typeof linkKeys>;

interface StoredEntry {
  command: Command;
  issuedAt: string;
}

const COUNT_SEND = luaScript(`if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
return redis.call('HINCRBY', KEYS[2], ARGV[1], 1)`);

const CLEAR = luaScript(`local e = redis.call('HGET', KEYS[1], ARGV[1])
if not e then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
return e`);

function decode(vehicleId: string, text: string, sends: string | undefined): LedgerEntry {
  const stored = JSON.parse(text) as StoredEntry;
  return { vehicleId, command: stored.command, issuedAt: new Date(stored.issuedAt), sends: Number(sends ?? 0) };
}

const byIssue = (a: LedgerEntry, b: LedgerEntry) => a.issuedAt.getTime() - b.issuedAt.getTime() || a.command.commandId.localeCompare(b.command.commandId);

/** Pending commands: one hash of entries and one of send counts per vehicle, and the set of vehicles with any. */
export function createCommandLedgerStore(redis: Redis, keys: LinkKeys): CommandLedgerStore {
  return {
    async record({ vehicleId, command, issuedAt }) {
      const stored: StoredEntry = { command, issuedAt: issuedAt.toISOString() };
      await redis.multi().hset(keys.commands(vehicleId), command.commandId, JSON.stringify(stored)).sadd(keys.withPending, vehicleId).exec();
    },
    async pending(vehicleId) {
      const [entries, sends] = await Promise.all([redis.hgetall(keys.commands(vehicleId)), redis.hgetall(keys.sends(vehicleId))]);
      return Object.entries(entries).map(([id, text]) => decode(vehicleId, text, sends[id])).sort(byIssue);
    },
    async countSend(vehicleId, commandId) {
      return Number(await COUNT_SEND(redis, [keys.commands(vehicleId), keys.sends(vehicleId)], [commandId]));
    },
    async clear(vehicleId, commandId) {
      const text = (await CLEAR(redis, [keys.commands(vehicleId), keys.sends(vehicleId), keys.withPending], [commandId, vehicleId])) as string | null;
      return text ? decode(vehicleId, text, undefined) : undefined;
    },
    async clearAll(vehicleId) {
      const entries = await redis.hgetall(keys.commands(vehicleId));
      await redis.multi().del(keys.commands(vehicleId), keys.sends(vehicleId)).srem(keys.withPending, vehicleId).exec();
      return Object.values(entries).map((text) => decode(vehicleId, text, undefined));
    },
    vehiclesWithPending: () => redis.smembers(keys.withPending),
  };
}

const BEAT = luaScript(`local last = tonumber(redis.call('HGET', KEYS[2], 'lastBeat') or '0')
local now = tonumber(ARGV[2])
if last == 0 or now - last > tonumber(ARGV[3]) then redis.call('HSET', KEYS[2], 'aliveSince', ARGV[2]) end
if now > last then redis.call('HSET', KEYS[2], 'lastBeat', ARGV[2]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`);

/**
 * Replica heartbeats: each replica's last beat, and the cluster's: a gap
 * longer than `gapMs` since any replica last beat means the whole fleet was
 * down, and `aliveSince` starts again.
 */
export function createReplicaHeartbeats(redis: Redis, keys: LinkKeys, replicaId: string, gapMs: number): ReplicaHeartbeats {
  return {
    async beat(now) {
      await BEAT(redis, [keys.replicas, keys.cluster], [replicaId, now.getTime(), gapMs]);
    },
    async aliveSince() {
      const ms = await redis.hget(keys.cluster, 'aliveSince');
      return ms ? new Date(Number(ms)) : undefined;
    },
  };
}

const FORGET_REPLICAS_AFTER_MS = 3_600_000;

/** Session values are "<replica id> <session id>"; replica ids have no spaces. */
const replicaOf = (owner: string): string => owner.split(' ')[0] ?? owner;

const RELEASE = luaScript(`if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`);

/**
 * Who holds each vehicle's stream (vehicle id → replica id), a Redis channel
 * per replica for "a command for your vehicle was recorded", and one for
 * connects and disconnects so every replica's view of the cluster follows at
 * once. A lost message only delays things until the next periodic pass.
 */
export async function createSessionDirectory(deps: {
  redis: Redis;
  subscriber: Redis;
  keys: LinkKeys;
  replicaId: string;
  /** A replica whose heartbeat is older than this is taken as dead. */
  replicaTtlMs: number;
  clock: Clock;
  log: Logger;
  onNudge: (vehicleId: string) => void;
  /** A vehicle connected (`true`) or disconnected somewhere in the cluster. */
  onSessionChange: (vehicleId: string, connected: boolean) => void;
}): Promise<SessionDirectory> {
  const { redis, subscriber, keys, replicaId, clock } = deps;
  const channel = keys.nudges(replicaId);
  subscriber.on('message', (from: string, message: string) => {
    if (from === channel) deps.onNudge(message);
    else if (from === keys.sessionChanges) deps.onSessionChange(message.slice(1), message.startsWith('+'));
  });
  if (subscriber.status !== 'ready') await new Promise((resolve) => subscriber.once('ready', resolve));
  await subscriber.subscribe(channel, keys.sessionChanges);

  /** Replicas silent for an hour (each pod start is a new id), and the sessions they left behind. */
  async function forgetLongDead(beats: Record<string, string>, sessions: Record<string, string>, nowMs: number): Promise<void> {
    const gone = new Set(Object.entries(beats).filter(([, at]) => Number(at) < nowMs - FORGET_REPLICAS_AFTER_MS).map(([id]) => id));
    const orphans = Object.entries(sessions).filter(([, owner]) => !(replicaOf(owner) in beats) || gone.has(replicaOf(owner)));
    if (gone.size > 0) await redis.hdel(keys.replicas, ...gone);
    for (const [vehicleId, owner] of orphans) await RELEASE(redis, [keys.sessions], [vehicleId, owner]);
  }

  return {
    async claim(vehicleId, sessionId) {
      await redis.hset(keys.sessions, vehicleId, `${replicaId} ${sessionId}`);
      await redis.publish(keys.sessionChanges, `+${vehicleId}`);
    },
    async release(vehicleId, sessionId) {
      const released = Number(await RELEASE(redis, [keys.sessions], [vehicleId, `${replicaId} ${sessionId}`]));
      if (released) await redis.publish(keys.sessionChanges, `-${vehicleId}`);
    },
    async nudge(vehicleId) {
      const owner = await redis.hget(keys.sessions, vehicleId);
      if (owner) await redis.publish(keys.nudges(replicaOf(owner)), vehicleId);
    },
    async connected() {
      const [sessions, beats] = await Promise.all([redis.hgetall(keys.sessions), redis.hgetall(keys.replicas)]);
      const nowMs = clock.now().getTime();
      const live = new Set(Object.entries(beats).filter(([, at]) => Number(at) >= nowMs - deps.replicaTtlMs).map(([id]) => id));
      await forgetLongDead(beats, sessions, nowMs);
      return new Set(Object.entries(sessions).filter(([, owner]) => live.has(replicaOf(owner))).map(([vehicleId]) => vehicleId));
    },
  };
}
