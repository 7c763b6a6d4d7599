import type { Role } from './types';

// The role order of @threatstream/events' ROLES, which the API enforces (the dashboard only hides
// what a role cannot do). Spelled out rather than imported so that the bundle does not take in
// zod for one list: `satisfies` and the check below fail to compile if the two name different
// roles, and roles.test.ts fails if their order differs.
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
