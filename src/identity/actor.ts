/** Who is doing a write, and the request it came with: every audit entry carries these. */
export interface Actor {
  /** e.g. `cli:root`, `api:anonymous`, later a user name or token name. */
  name: string;
  requestId?: string;
  sourceIp?: string;
}

export const systemActor: Actor = { name: 'system' };
