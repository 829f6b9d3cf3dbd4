export { duplicateExecutions, orderKey } from './order-log.js';
export type { SimFailed, SimMessage, SimReport } from './protocol.js';
export type { OrderReceipt } from '../vehicles/index.js';
