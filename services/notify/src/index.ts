/** What other workspaces (the end-to-end tests, tools) may use from notify. */
export { startNotifyService, type NotifyOverrides, type NotifyService } from './service.js';
export { loadConfig, notifyConfigSchema, type NotifyConfig } from './config.js';
export { signPayload, verifySignature, signatureProblem, SIGNATURE_HEADER } from './domain/signature.js';
export type { WebhookEvent } from './domain/webhook-event.js';
export { JOB_EVENT_TYPES, type JobEventType } from './domain/event-types.js';
