/**
 * `node --import @kera/platform/register services/<name>/dist/src/main.js`:
 * tracing starts before the app imports what it traces. Export is set by the
 * standard OTEL_* variables (docs/observability.md).
 */
import { loadInstrumented, startTracing } from './tracing-sdk.js';

startTracing();
loadInstrumented();
