// The Firebase app, Auth and Firestore, set up once.
//
// Configuration comes from /__/firebase/init.json, which Firebase Hosting serves for the project
// it hosts (and the Hosting emulator serves locally). Where that URL does not answer (the Vite dev
// server without the emulator, a static preview) the demo project's configuration is used.
// Served from 127.0.0.1 or localhost, the dashboard talks to the Emulator Suite.
import { initializeApp, type FirebaseApp, type FirebaseOptions } from 'firebase/app';
import { connectAuthEmulator, getAuth, type Auth } from 'firebase/auth';
import {
  connectFirestoreEmulator,
  initializeFirestore,
  memoryEagerGarbageCollector,
  memoryLocalCache,
  type Firestore,
} from 'firebase/firestore';

export const DEMO_PROJECT_ID = 'demo-threatstream';

export const DEMO_CONFIG: FirebaseOptions = {
  projectId: DEMO_PROJECT_ID,
  apiKey: 'demo-api-key',
  authDomain: `${DEMO_PROJECT_ID}.firebaseapp.com`,
  appId: 'demo-app',
};

export const EMULATORS = {
  auth: 'http://127.0.0.1:9099',
  firestore: { host: '127.0.0.1', port: 8080 },
} as const;

export interface Services {
  app: FirebaseApp;
  auth: Auth;
  db: Firestore;
  /** True when connected to the Emulator Suite rather than a real project. */
  emulated: boolean;
  /** Where the configuration came from, shown in the footer. */
  configSource: 'hosting' | 'demo';
}

export function servedLocally(hostname: string = location.hostname): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

async function hostingConfig(): Promise<FirebaseOptions | undefined> {
  try {
    const response = await fetch('/__/firebase/init.json', { cache: 'no-store' });
    if (!response.ok || !response.headers.get('content-type')?.includes('json')) return undefined;
    const config = (await response.json()) as FirebaseOptions;
    return typeof config.projectId === 'string' && typeof config.apiKey === 'string' ? config : undefined;
  } catch {
    return undefined;
  }
}

let services: Promise<Services> | undefined;

export function firebaseServices(): Promise<Services> {
  services ??= (async () => {
    const emulated = servedLocally();
    const fromHosting = await hostingConfig();
    // Locally the project must be the demo one the emulators run (a `demo-` project needs no
    // credentials and can never reach production by mistake).
    const config = emulated ? { ...DEMO_CONFIG, ...fromHosting, projectId: DEMO_PROJECT_ID } : (fromHosting ?? DEMO_CONFIG);
    const app = initializeApp(config);
    const auth = getAuth(app);
    // ?transport=long-polling forces plain long polling (for proxies that break streaming);
    // by default the SDK detects what works.
    const longPolling = new URLSearchParams(location.search).get('transport') === 'long-polling';
    const db = initializeFirestore(app, {
      // Without this, the SDK's default memory cache keeps every document it ever received and
      // collects garbage (LRU) only past 40 MB: measured, about 3.5 kB of heap per threat that
      // ever passed through the limit-100 stream. Eager collection drops a document as soon as
      // no listener's results hold it, so the tab's memory follows what is on screen.
      localCache: memoryLocalCache({ garbageCollector: memoryEagerGarbageCollector() }),
      ...(longPolling && { experimentalForceLongPolling: true }),
    });
    if (emulated) {
      connectAuthEmulator(auth, EMULATORS.auth, { disableWarnings: true });
      connectFirestoreEmulator(db, EMULATORS.firestore.host, EMULATORS.firestore.port);
    }
    return { app, auth, db, emulated, configSource: fromHosting ? 'hosting' : 'demo' };
  })();
  return services;
}
