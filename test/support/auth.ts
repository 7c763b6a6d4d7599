// Real Firebase Auth ID tokens from the Auth emulator, for suites that call the API.
// Users are created with the Admin SDK (which talks to FIREBASE_AUTH_EMULATOR_HOST), given a
// `role` custom claim, and signed in through the emulator's identitytoolkit REST endpoint, the
// same call the Firebase web SDK makes, so the tokens are what a browser would send.
import { randomUUID } from 'node:crypto';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { PROJECT_ID } from './emulators';

export type Role = 'viewer' | 'analyst' | 'responder' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'analyst', 'responder', 'admin'];

function authEmulatorHost(): string {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  if (!host) throw new Error('FIREBASE_AUTH_EMULATOR_HOST is not set: run this through `node tools/emulators.mjs exec`');
  return host;
}

export function adminAuth(): Auth {
  authEmulatorHost();
  const app = getApps()[0] ?? initializeApp({ projectId: PROJECT_ID });
  return getAuth(app);
}

export interface TestUser {
  uid: string;
  email: string;
  password: string;
  role: Role | undefined;
  idToken: string;
}

/** Signs in with email and password on the Auth emulator and returns the ID token. */
export async function signIn(email: string, password: string): Promise<string> {
  const response = await fetch(
    `http://${authEmulatorHost()}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=emulator-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, returnSecureToken: true }),
    },
  );
  const body = (await response.json()) as { idToken?: string; error?: { message: string } };
  if (!response.ok || !body.idToken) throw new Error(`sign-in of ${email} failed: ${body.error?.message ?? response.status}`);
  return body.idToken;
}

/** A new user with this role (or none), signed in: every call makes a distinct user. */
export async function createUser(role: Role | undefined, label = role ?? 'norole'): Promise<TestUser> {
  const email = `${label}-${randomUUID().slice(0, 8)}@api-test.threatstream.test`;
  const password = `pw-${randomUUID()}`;
  const user = await adminAuth().createUser({ email, password, emailVerified: true });
  if (role) await adminAuth().setCustomUserClaims(user.uid, { role });
  return { uid: user.uid, email, password, role, idToken: await signIn(email, password) };
}

/** One signed-in user per role, plus one without a role claim. */
export async function createUsersByRole(): Promise<Record<Role | 'none', TestUser>> {
  const [viewer, analyst, responder, admin, none] = await Promise.all([
    createUser('viewer'),
    createUser('analyst'),
    createUser('responder'),
    createUser('admin'),
    createUser(undefined),
  ]);
  return { viewer, analyst, responder, admin, none };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * An ID token shaped like the Auth emulator's own (unsigned) tokens, with chosen claims: for
 * expired tokens and tokens minted for another project, which the emulator never hands out.
 */
export function craftIdToken(claims: { uid: string; role?: Role; expiresInSeconds: number; projectId?: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const projectId = claims.projectId ?? PROJECT_ID;
  const payload = {
    iss: `https://securetoken.google.com/${projectId}`,
    aud: projectId,
    auth_time: now - 3600,
    user_id: claims.uid,
    sub: claims.uid,
    iat: now - 3600,
    exp: now + claims.expiresInSeconds,
    firebase: { identities: {}, sign_in_provider: 'password' },
    ...(claims.role && { role: claims.role }),
  };
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}
