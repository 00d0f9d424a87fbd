

/** The tables, as both stores hold them. Times are milliseconds since the epoch. */
export interface Database {
  conversations: {
    user_id: string;
    flow_version: string;
    snapshot: string;
    version: number;
    updated_at: number;
  };
  webhook_events: {
    event_id: string;
    user_id: string;
    status: 'pending' | 'replied';
    reply_token: string | null;
    reply: string | null;
    lease_until: number;
    received_at: number;
  };
}
