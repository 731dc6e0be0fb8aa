import type { Role } from '../identity/roles.ts';
import type { Label } from './records.ts';
import terms from './terms.json' with { type: 'json' };

/** The roles of 等保2.0 third level, as the console and the CLI name them. */
export const roleLabels = terms.roles satisfies Record<Role, Label>;
