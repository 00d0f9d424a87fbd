/**
 * Where a person talks to the bot, with what each channel may do, declared here once: the adapter that
 * receives a person's events names its channel (stored with their subscription and open notifications),
 * and the use cases and stores read the capability, never the name. A new channel is a new entry.
 */
export const CHANNELS = {
  /** LINE users: pushed to (reminders, open notices) and counted in the usage figures. */
  line: { push: true, countsUsage: true },
  /** Staff trying the bot in the local simulator: neither pushed to nor counted. */
  simulator: { push: false, countsUsage: false },
} as const satisfies Record<string, ChannelCapabilities>;

export interface ChannelCapabilities {
  /** Messages may be pushed to its people outside a reply (reminders, open notices). */
  push: boolean;
  /** Its turns are counted in the usage figures. */
  countsUsage: boolean;
}

export type Channel = keyof typeof CHANNELS;

export const capabilitiesOf = (channel: Channel): ChannelCapabilities => CHANNELS[channel];

/** The channels whose people may be pushed to. */
export const PUSH_CHANNELS: readonly Channel[] = (Object.keys(CHANNELS) as Channel[]).filter((c) => CHANNELS[c].push);
