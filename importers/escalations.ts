// Escalation cases and orders as import kinds (DESIGN.md §5 columns).
import { type CleaningOptions, cleanEscalationRow, cleanOrderRow, mergeEscalations } from './rows';
import type { Escalation, Order } from '../storage/types';
import type { ImportColumns, ImportKind } from './importer';

const ESCALATION_FIELDS = [
  'openedAt', 'week', 'region', 'channel', 'customerId', 'customerHandle', 'orderId', 'product',
  'category', 'text', 'refundAmount', 'status', 'resolvedAt', 'abusive', 'source',
] as const satisfies readonly (keyof Escalation)[];

const ORDER_FIELDS = [
  'region', 'orderedAt', 'promisedAt', 'deliveredAt', 'deliveryAttempts', 'firstAttemptSuccess', 'week', 'customerId', 'source',
] as const satisfies readonly (keyof Order)[];

export const ESCALATION_COLUMNS = {
  required: ['case_id', 'opened_at', 'region', 'customer_id'],
  optional: ['channel', 'customer_handle', 'order_id', 'product', 'category', 'text', 'refund_amount', 'status', 'resolved_at', 'abusive'],
} as const satisfies ImportColumns;

export const ORDER_COLUMNS = {
  required: ['order_id', 'region', 'ordered_at'],
  optional: ['promised_at', 'delivered_at', 'delivery_attempts', 'first_attempt_success', 'customer_id'],
} as const satisfies ImportColumns;

/** The configuration cleaning reads: the escalations section and the hash key. */
export interface CleaningSettings {
  escalations: Pick<CleaningOptions, 'regionMap' | 'channelMap' | 'hashCustomerIds' | 'piiMasking'>;
  secrets: { hashKey?: string };
}

export function cleaningOptions(config: CleaningSettings, source: string, importedAt = new Date()): CleaningOptions {
  const e = config.escalations;
  if (e.hashCustomerIds && !config.secrets.hashKey) {
    throw new Error('escalations.hashCustomerIds is on but RINGWATCH_HASH_KEY is not set');
  }
  return {
    regionMap: e.regionMap,
    channelMap: e.channelMap,
    hashCustomerIds: e.hashCustomerIds,
    piiMasking: e.piiMasking,
    hashKey: config.secrets.hashKey,
    source,
    importedAt,
  };
}

export function escalationKind(opts: CleaningOptions): ImportKind<Escalation> {
  return {
    name: 'escalations',
    repo: (s) => s.escalations,
    columns: ESCALATION_COLUMNS,
    clean: (row) => cleanEscalationRow(row, opts),
    fields: ESCALATION_FIELDS,
    stamp: 'importedAt',
    merge: mergeEscalations,
    invalidates: { text: ['analysis'] },
  };
}

export function orderKind(opts: CleaningOptions): ImportKind<Order> {
  return {
    name: 'orders',
    repo: (s) => s.orders,
    columns: ORDER_COLUMNS,
    clean: (row) => cleanOrderRow(row, opts),
    fields: ORDER_FIELDS,
    stamp: 'importedAt',
  };
}
