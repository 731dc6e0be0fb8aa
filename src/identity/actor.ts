import { type Access, rootAccess } from './access.ts';

/** Who is doing something, with what rights, and the request it came with. */
export interface Actor {
  /** e.g. `cli:root`, a user name, `demo-seed`. */
  name: string;
  access: Access;
  requestId?: string;
  sourceIp?: string;
}

/** The server's own jobs and the local command line act with full rights. */
export const systemActor: Actor = { name: 'system', access: rootAccess };

export const rootActor = (name: string): Actor => ({ name, access: rootAccess });
