import type { Role } from './types';

// The role order of functions/src/api/roles.ts (the API enforces it; the dashboard only hides
// what a role cannot do). `satisfies` and the check below fail to compile if the two drift apart.
export const ROLES = ['viewer', 'analyst', 'responder', 'admin'] as const satisfies readonly Role[];
type Missing = Exclude<Role, (typeof ROLES)[number]>;
const everyRoleListed: Missing extends never ? true : false = true;
void everyRoleListed;

export function parseRole(value: unknown): Role | undefined {
  return (ROLES as readonly unknown[]).includes(value) ? (value as Role) : undefined;
}

export function roleAtLeast(role: Role | undefined, minimum: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
