#!/usr/bin/env node
// Firebase Auth users with ThreatStream roles (the `role` custom claim: viewer < analyst <
// responder < admin), on the Auth emulator or a real project.
//
//   node tools/users.mjs demo [--wait 60]
//       viewer@, analyst@, responder@, admin@threatstream.test, password "threatstream-<role>"
//       (the dashboard demo). Emulator only, unless --allow-known-passwords is given.
//   node tools/users.mjs create --email a@b.c --password 's3cret!' --role analyst [--name "A B"]
//   node tools/users.mjs set-role --email a@b.c --role admin        (or --role none to remove it;
//                                                                  revokes the user's refresh tokens)
//   node tools/users.mjs list
//
// Where: with FIREBASE_AUTH_EMULATOR_HOST set (e.g. 127.0.0.1:9099; `firebase emulators:exec`
// sets it) the Auth emulator of project demo-threatstream (or --project); otherwise the real
// project given by --project (or GOOGLE_CLOUD_PROJECT), with Application Default Credentials
// (`gcloud auth application-default login`, or a service account on CI).
//
// Idempotent: an existing user is updated (password, role), never duplicated. A role takes effect
// in a user's ID token at their next sign-in or token refresh (at most an hour).
import { fileURLToPath } from 'node:url';
import { initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';

export const ROLES = ['viewer', 'analyst', 'responder', 'admin'];
export const DEMO_DOMAIN = 'threatstream.test';
export const demoUsers = () =>
  ROLES.map((role) => ({ email: `${role}@${DEMO_DOMAIN}`, password: `threatstream-${role}`, role, displayName: `Demo ${role}` }));

function parse(argv) {
  const [command, ...rest] = argv;
  const options = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) usage(`unexpected argument ${arg}`);
    const key = arg.slice(2);
    if (key === 'allow-known-passwords') options[key] = true;
    else {
      const value = rest[++i];
      if (value === undefined) throw new Error(`--${key} needs a value`);
      options[key] = value;
    }
  }
  return { command, options };
}

function usage(message, status = 2) {
  if (message) console.error(`error: ${message}\n`);
  console.error(
    [
      'usage: node tools/users.mjs demo [--wait SECONDS] [--allow-known-passwords] [--project ID]',
      '       node tools/users.mjs create --email EMAIL --password PASSWORD --role ROLE [--name NAME] [--project ID]',
      '       node tools/users.mjs set-role --email EMAIL --role ROLE|none [--project ID]',
      '       node tools/users.mjs list [--project ID]',
      `roles: ${ROLES.join(', ')}`,
    ].join('\n'),
  );
  process.exit(status);
}

function checkRole(role, allowNone = false) {
  if (allowNone && role === 'none') return null;
  if (!ROLES.includes(role)) usage(`--role must be one of ${ROLES.join(', ')}${allowNone ? ', none' : ''}`);
  return role;
}

/** Waits until the Auth emulator answers (it starts after `npm start` launched the suite). */
async function waitForEmulator(host, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const response = await fetch(`http://${host}/`);
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`the Auth emulator at ${host} did not answer within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Creates the user, or updates the existing one with that email; then sets the role claim. */
export async function upsertUser(auth, { email, password, role, displayName }) {
  let user;
  let created = false;
  try {
    user = await auth.getUserByEmail(email);
    user = await auth.updateUser(user.uid, { ...(password && { password }), ...(displayName && { displayName }), emailVerified: true });
  } catch (error) {
    if (error?.code !== 'auth/user-not-found') throw error;
    user = await auth.createUser({ email, password, emailVerified: true, ...(displayName && { displayName }) });
    created = true;
  }
  const claims = { ...(user.customClaims ?? {}) };
  if (role) claims.role = role;
  else delete claims.role;
  await auth.setCustomUserClaims(user.uid, claims);
  return { uid: user.uid, email, role: role ?? null, created };
}

async function main() {
  const { command, options } = parse(process.argv.slice(2));
  if (command === undefined || command === '--help' || command === 'help' || command === '-h') usage(undefined, command ? 0 : 2);
  if (!['demo', 'create', 'set-role', 'list'].includes(command)) usage(command ? `unknown command ${command}` : undefined);

  const emulatorHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  const projectId = options.project ?? process.env.GOOGLE_CLOUD_PROJECT ?? process.env.GCLOUD_PROJECT ?? (emulatorHost ? 'demo-threatstream' : undefined);
  if (!projectId) usage('no project: pass --project ID, or set FIREBASE_AUTH_EMULATOR_HOST for the emulator');
  const where = emulatorHost ? `the Auth emulator at ${emulatorHost} (project ${projectId})` : `project ${projectId}`;

  if (emulatorHost) await waitForEmulator(emulatorHost, Number(options.wait ?? 60));
  const auth = getAuth(initializeApp({ projectId }));

  if (command === 'list') {
    let pageToken;
    do {
      const page = await auth.listUsers(1000, pageToken);
      for (const user of page.users) console.log(`${user.email ?? user.uid}\t${user.customClaims?.role ?? '(no role)'}\t${user.uid}`);
      pageToken = page.pageToken;
    } while (pageToken);
    return;
  }

  let users;
  if (command === 'demo') {
    if (!emulatorHost && !options['allow-known-passwords']) {
      usage(`refusing to create demo users with published passwords in ${where}; pass --allow-known-passwords if you mean it`);
    }
    users = demoUsers();
  } else if (command === 'create') {
    if (!options.email || !options.password) usage('create needs --email and --password');
    if (options.password.length < 6) usage('the password must have at least 6 characters');
    users = [{ email: options.email, password: options.password, role: checkRole(options.role), displayName: options.name }];
  } else {
    if (!options.email) usage('set-role needs --email');
    const user = await auth.getUserByEmail(options.email);
    users = [{ email: user.email, role: checkRole(options.role, true) }];
  }

  for (const user of users) {
    const result = await upsertUser(auth, user);
    const password = command === 'demo' ? `  password ${user.password}` : '';
    console.log(`${result.created ? 'created' : 'updated'} ${result.email}  role ${result.role ?? '(none)'}${password}  uid ${result.uid}`);
    if (command === 'set-role') {
      // A new role must not wait for the old ID token to expire: no refresh token issued before
      // now works any more, and the API's state-changing routes refuse the old ID token at once.
      await auth.revokeRefreshTokens(result.uid);
      console.log(`revoked the refresh tokens of ${result.email}: they sign in again to use the new role`);
    }
  }
  console.log(`${users.length} user(s) in ${where}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`users: ${error?.message ?? error}`);
    process.exit(1);
  });
}
