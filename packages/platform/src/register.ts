/**
 * `node --import @kera/platform/register services/<name>/dist/src/main.js`:
 * tracing starts before the app imports what it traces. Export is set by the
 * standard OTEL_* variables (docs/observability.md).
 */
import { installInstrumentationHooks, startTracing } from './tracing-sdk.js';

const hooks = await installInstrumentationHooks();
startTracing();
// The loader must know every module to wrap before the app's first import.
await hooks.acknowledged();
