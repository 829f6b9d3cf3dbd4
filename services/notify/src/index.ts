/** What other workspaces (the end-to-end tests, tools) may use from notify. */
export { startNotifyService, type NotifyOverrides, type NotifyService } from './service.js';
export { loadConfig, notifyConfigSchema, type NotifyConfig } from './config.js';
export type { WebhookEvent } from './domain/webhook-event.js';
export { EVENT_TYPES, type EventType } from './domain/event-types.js';
