// firestore.rules on the Firestore emulator, through the Firebase web SDK as the dashboard uses
// it: every collection, every role, no auth, no role, forged roles, and no client writes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import { collection, deleteDoc, doc, getDoc, getDocs, limit, query, setDoc, updateDoc } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTION_READERS, FUNCTIONS_ONLY_COLLECTIONS, type ReadableCollection } from '../../functions/src/access';

// A project of its own, so loading rules here never touches the suite's main project.
const PROJECT_ID = 'demo-threatstream-rules';
const ROLES = ['viewer', 'analyst', 'responder', 'admin'] as const;
type Role = (typeof ROLES)[number];

let env: RulesTestEnvironment;

/** Document paths for each readable collection (a subcollection where the rules allow it). */
const SAMPLE_PATHS: Record<ReadableCollection, string[]> = {
  threats: ['threats/t1'],
  alerts: ['alerts/a1'],
  playbooks: ['playbooks/p1'],
  playbookRuns: ['playbookRuns/r1', 'playbookRuns/r1/steps/s1'],
  metrics: ['metrics/minute-202601011200', 'metrics/minute-202601011200/shards/0'],
  riskIndex: ['riskIndex/current', 'riskIndex/timeline/points/202601011200'],
  blocklist: ['blocklist/185.234.72.91'],
  auditLog: ['auditLog/e1'],
  approvals: ['approvals/r1-0'],
  neverBlock: ['neverBlock/n1'],
  detectionRules: ['detectionRules/ssh-brute-force', 'detectionRules/r1/versions/1'],
  detectionExceptions: ['detectionExceptions/x1'],
};
// The lists come from the one access table (functions/src/access.ts), so the rules are tested
// against what the README and the API say.
const readersOf = (role: Role) =>
  (Object.entries(COLLECTION_READERS) as [ReadableCollection, Role][]).filter(([, lowest]) => lowest === role).flatMap(([c]) => SAMPLE_PATHS[c]);
const EVERY_ROLE_READS = readersOf('viewer');
const ANALYSTS_READ = readersOf('analyst');
const RESPONDERS_READ = readersOf('responder');
const NOBODY_READS = [
  ...FUNCTIONS_ONLY_COLLECTIONS.map((name) => (name === 'sourceActivity' ? 'sourceActivity/s1/sightings/t1' : `${name}/x1`)),
  'somethingNew/n1',
];

function firestoreHost(): { host: string; port: number } {
  const value = process.env.FIRESTORE_EMULATOR_HOST;
  if (!value) throw new Error('FIRESTORE_EMULATOR_HOST is not set: run this through `node tools/emulators.mjs exec`');
  const [host, port] = value.split(':');
  return { host: host!, port: Number(port) };
}

beforeAll(async () => {
  env = await initializeTestEnvironment({
    projectId: PROJECT_ID,
    firestore: { ...firestoreHost(), rules: readFileSync(join(__dirname, '../../firestore.rules'), 'utf8') },
  });
  await env.clearFirestore();
  await env.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    for (const path of [...EVERY_ROLE_READS, ...ANALYSTS_READ, ...RESPONDERS_READ, ...NOBODY_READS]) {
      await setDoc(doc(db, path), { seeded: true, role: 'admin' });
    }
    // A profile claiming admin: rules must never take a role from a document.
    await setDoc(doc(db, 'users/forger'), { role: 'admin' });
  });
});

afterAll(async () => {
  await env?.cleanup();
});

function as(role: Role | 'none' | 'anonymous' | { claims: Record<string, unknown> }) {
  if (role === 'anonymous') return env.unauthenticatedContext().firestore();
  if (role === 'none') return env.authenticatedContext('no-role-user').firestore();
  if (typeof role === 'object') return env.authenticatedContext('forger', role.claims).firestore();
  return env.authenticatedContext(`${role}-user`, { role }).firestore();
}

function parentCollection(path: string): string {
  return path.split('/').slice(0, -1).join('/');
}

describe('reads', () => {
  it('covers every collection of the access table, and the table has analyst-only collections', () => {
    expect(Object.keys(SAMPLE_PATHS).sort()).toEqual(Object.keys(COLLECTION_READERS).sort());
    expect(ANALYSTS_READ).toEqual(expect.arrayContaining(['playbookRuns/r1', 'playbookRuns/r1/steps/s1', 'blocklist/185.234.72.91', 'auditLog/e1']));
  });

  for (const path of EVERY_ROLE_READS) {
    it.each(ROLES)(`${path}: %s reads (get and list)`, async (role) => {
      const db = as(role);
      const snapshot = await assertSucceeds(getDoc(doc(db, path)));
      expect(snapshot.data()).toMatchObject({ seeded: true });
      await assertSucceeds(getDocs(query(collection(db, parentCollection(path)), limit(10))));
    });
  }

  for (const path of ANALYSTS_READ) {
    it.each(['analyst', 'responder', 'admin'] as const)(`${path}: %s reads`, async (role) => {
      await assertSucceeds(getDoc(doc(as(role), path)));
      await assertSucceeds(getDocs(collection(as(role), parentCollection(path))));
    });
    it(`${path}: viewer is refused`, async () => {
      await assertFails(getDoc(doc(as('viewer'), path)));
      await assertFails(getDocs(collection(as('viewer'), parentCollection(path))));
    });
  }

  for (const path of RESPONDERS_READ) {
    it.each(['responder', 'admin'] as const)(`${path}: %s reads`, async (role) => {
      await assertSucceeds(getDoc(doc(as(role), path)));
      await assertSucceeds(getDocs(collection(as(role), parentCollection(path))));
    });
    it.each(['viewer', 'analyst'] as const)(`${path}: %s is refused`, async (role) => {
      await assertFails(getDoc(doc(as(role), path)));
      await assertFails(getDocs(collection(as(role), parentCollection(path))));
    });
  }

  for (const path of NOBODY_READS) {
    it.each(ROLES)(`${path}: even %s is refused`, async (role) => {
      await assertFails(getDoc(doc(as(role), path)));
    });
  }

  const outsiders = [
    ['signed out', 'anonymous'],
    ['signed in without a role claim', 'none'],
    ['an unknown role claim', { claims: { role: 'superuser' } }],
    ['a role claim in the wrong case', { claims: { role: 'Admin' } }],
    ['a role claim that is not a string', { claims: { role: 4 } }],
    ['roles in a list claim', { claims: { roles: ['admin'] } }],
  ] as const;
  for (const [name, who] of outsiders) {
    it(`${name}: reads nothing`, async () => {
      const db = as(who as Parameters<typeof as>[0]);
      for (const path of [...EVERY_ROLE_READS, ...ANALYSTS_READ, ...RESPONDERS_READ]) {
        await assertFails(getDoc(doc(db, path)));
      }
    });
  }

  it('a user whose profile document claims admin, but whose token has no role, reads nothing', async () => {
    const db = env.authenticatedContext('forger').firestore();
    await assertFails(getDoc(doc(db, 'threats/t1')));
    await assertFails(getDoc(doc(db, 'users/forger')));
  });
});

describe('writes', () => {
  const everything = [...EVERY_ROLE_READS, ...ANALYSTS_READ, ...RESPONDERS_READ, ...NOBODY_READS, 'threats/new-one'];
  it.each([...ROLES, 'none', 'anonymous'] as const)('%s cannot create, update or delete anything', async (role) => {
    const db = as(role);
    for (const path of everything) {
      await assertFails(setDoc(doc(db, path), { written: true, role: 'admin' }));
      await assertFails(updateDoc(doc(db, path), { status: 'RESOLVED' }));
      await assertFails(deleteDoc(doc(db, path)));
    }
  });

  it('an admin cannot write a role into its own profile either', async () => {
    await assertFails(setDoc(doc(as('admin'), 'users/admin-user'), { role: 'admin' }));
  });
});
