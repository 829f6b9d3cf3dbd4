/**
 * What one HTTP attempt means for a delivery. 408 and 429 say "try later";
 * other 4xx say the receiver will never accept this request, so retrying only
 * delays the events behind it. Redirects are not followed: a signed POST
 * should reach the configured URL or fail visibly.
 */
export type AttemptVerdict = 'delivered' | 'retry' | 'rejected';

export function verdictForStatus(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 500) return 'retry';
  return 'rejected';
}
