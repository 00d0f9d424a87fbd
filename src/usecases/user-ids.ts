/** Simulator users live in their own id space ("sim-…"); LINE can deliver only to LINE users. */
export const SIMULATOR_USER_PREFIX = 'sim-';

export function isLineUser(userId: string): boolean {
  return !userId.startsWith(SIMULATOR_USER_PREFIX);
}
