import { createHash } from 'node:crypto';

/**
 * The id of an alert derived from its inputs, formatted as a UUID (version
 * nibble 8, "custom"). Deterministic, so a redelivered Kafka message raises
 * the same webhook-id and the lane's seen-marker drops the duplicate.
 */
export function derivedEventId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
