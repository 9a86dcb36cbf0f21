/** Table types of the transparency log (migration 0005_transparency.sql). */
import type { Generated } from 'kysely';
import type { Timestamp } from '../../storage/schema.ts';

export interface TransparencyTables {
  log_heads: { log_id: string; size: number };
  log_entries: { log_id: string; idx: number; entry: Uint8Array };
  log_nodes: { log_id: string; level: number; idx: number; hash: Uint8Array };
  log_checkpoints: { checkpoint_id: Generated<number>; log_id: string; size: number; root_hash: Uint8Array; timestamp_ms: number; note: string; created_at: Timestamp };
  log_outbox: { seq: Generated<number>; log_id: string; entry: Uint8Array; created_at: Timestamp };
}
