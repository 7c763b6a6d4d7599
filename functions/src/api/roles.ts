import { z } from 'zod';

/** Roles, lowest first: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'analyst', 'responder', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

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
