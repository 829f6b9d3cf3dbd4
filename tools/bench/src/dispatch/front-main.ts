/**
 * The TCP front as its own process, so the bytes of every vehicle stream do
 * not share an event loop with the harness's job submitter. FRONT_BACKENDS is
 * a comma-separated list of ports; the front's port goes to the parent over IPC.
 */
import { startTcpFront } from './front.js';

const backends = (process.env.FRONT_BACKENDS ?? '').split(',').map(Number).filter((p) => Number.isInteger(p) && p > 0);
if (backends.length === 0) {
  process.stderr.write('FRONT_BACKENDS: expected a comma-separated list of ports\n');
  process.exit(2);
}
const front = await startTcpFront({ backends });
process.send?.({ type: 'listening', port: front.port });
const stop = () => void front.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
