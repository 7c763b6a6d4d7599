// The demo users of tools/users.mjs (viewer@, analyst@, responder@, admin@threatstream.test,
// password "threatstream-<role>"), created on the Auth emulator by the script itself, as a person
// trying the dashboard would; with their uid and a fresh ID token for checks and forced calls.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { adminAuth, signIn, type Role, type TestUser } from '../../support/auth';
import { ROOT } from './browser';

export async function demoUsers(): Promise<Record<Role, TestUser>> {
  execFileSync('node', [join(ROOT, 'tools/users.mjs'), 'demo'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const roles: Role[] = ['viewer', 'analyst', 'responder', 'admin'];
  const users = await Promise.all(
    roles.map(async (role): Promise<TestUser> => {
      const email = `${role}@threatstream.test`;
      const password = `threatstream-${role}`;
      const { uid, customClaims } = await adminAuth().getUserByEmail(email);
      if (customClaims?.role !== role) throw new Error(`tools/users.mjs demo gave ${email} the role ${String(customClaims?.role)}`);
      return { uid, email, password, role, idToken: await signIn(email, password) };
    }),
  );
  return Object.fromEntries(users.map((user) => [user.role, user])) as Record<Role, TestUser>;
}
