import type { Request } from 'express';
import type { TokenVerifier } from '../deps';
import { PermissionDenied, Unauthenticated, Unavailable } from '../errors';
import { RoleSchema, roleAtLeast, type Caller, type Role } from '../roles';

// Firebase Auth error codes that mean "this token will not do" (the client's problem, 401).
const TOKEN_ERRORS = new Map<string, string>([
  ['auth/id-token-expired', 'ID token has expired; get a fresh one'],
  ['auth/id-token-revoked', 'ID token has been revoked; sign in again'],
  ['auth/user-disabled', 'this user is disabled'],
  ['auth/user-not-found', 'this user no longer exists'],
  ['auth/argument-error', 'ID token is malformed or not a Firebase ID token'],
  ['auth/invalid-argument', 'ID token is malformed or not a Firebase ID token'],
  ['auth/invalid-id-token', 'ID token is invalid'],
]);

/** The bearer token of the Authorization header, or a 401 saying what is wrong with it. */
export function bearerToken(req: Request): string {
  const header = req.get('authorization');
  if (!header) throw new Unauthenticated('missing Authorization header: send "Authorization: Bearer <Firebase ID token>"');
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match?.[1]) throw new Unauthenticated('Authorization header must be "Bearer <Firebase ID token>"');
  return match[1];
}

/**
 * Verifies the caller's Firebase ID token (signature, expiry, audience, issuer; on the emulator,
 * the Auth emulator's unsigned tokens) and reads the role claim. Routes that change state also
 * check revocation, which costs one Auth lookup: a disabled or signed-out user cannot act on an
 * hour-old token.
 */
export async function authenticate(verifier: TokenVerifier, req: Request, checkRevoked: boolean): Promise<Caller> {
  const token = bearerToken(req);
  let decoded;
  try {
    decoded = await verifier.verifyIdToken(token, checkRevoked);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && TOKEN_ERRORS.has(code)) throw new Unauthenticated(TOKEN_ERRORS.get(code)!);
    if (typeof code === 'string' && code.startsWith('auth/') && code !== 'auth/internal-error') {
      throw new Unauthenticated('ID token could not be verified');
    }
    throw new Unavailable('could not verify the ID token right now; retry shortly');
  }
  const role = RoleSchema.safeParse(decoded.role);
  return {
    uid: decoded.uid,
    ...(typeof decoded.email === 'string' && { email: decoded.email }),
    ...(role.success && { role: role.data }),
  };
}

/** 403 unless the caller's role is at least `minimum`. A token without a role has no access. */
export function authorize(caller: Caller, minimum: Role): asserts caller is Caller & { role: Role } {
  if (!caller.role) {
    throw new PermissionDenied(`this account has no role; an admin must grant at least "${minimum}"`, {
      required: minimum,
      role: null,
    });
  }
  if (!roleAtLeast(caller.role, minimum)) {
    throw new PermissionDenied(`requires role "${minimum}" or higher; you are "${caller.role}"`, {
      required: minimum,
      role: caller.role,
    });
  }
}
