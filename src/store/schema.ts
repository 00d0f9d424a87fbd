import type { Generated } from 'kysely';
import type { Channel } from '../usecases/ports';


/** The tables, as both stores hold them. Times are milliseconds since the epoch. */
export interface Database {
  conversations: {
    user_id: string;
    flow_version: string;
    snapshot: string;
    version: number;
    updated_at: number;
    /** The Tokyo date of the last turn, for the "where they stopped" count. */
    last_day: string | null;
    /** LINE's timestamp of the newest event applied, in milliseconds. */
    last_event_at: number | null;
  };
  webhook_events: {
    event_id: string;
    /** '' once the event is replied (migration 0007): only pending events name a person. */
    user_id: string;
    status: 'pending' | 'replied';
    reply_token: string | null;
    reply: string | null;
    lease_until: number;
    received_at: number;
    delivery: Generated<'reply' | 'push'>;
    crisis: number;
  };
  subscriptions: {
    user_id: string;
    created_at: number;
    channel: Generated<Channel>;
  };
  reminder_batches: {
    batch_id: string;
    slot_key: string;
    retry_key: string;
    message: string;
    event_start: number;
    status: 'pending' | 'sent' | 'failed' | 'missed';
    attempts: number;
    lease_until: number;
    created_at: number;
  };
  reminder_deliveries: {
    slot_key: string;
    user_id: string;
    batch_id: string | null;
    status: 'claimed' | 'sent' | 'failed' | 'missed';
    created_at: number;
  };
  open_notifications: {
    user_id: string;
    window_id: string;
    send_at: number;
    created_at: number;
    channel: Generated<Channel>;
  };
  usage_daily: {
    day: string;
    node: string;
    metric: string;
    count: number;
  };
}
