import { ROLES, RoleSchema, type Role } from '@threatstream/events';

/** Roles, lowest first (shared with the dashboard through the events package). */
export { ROLES, RoleSchema, type Role };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** The caller, from a verified Firebase Auth ID token. */
export interface Caller {
  uid: string;
  email?: string;
  /** Undefined when the token carries no (or an unknown) `role` claim. */
  role?: Role;
}
