import { onIdTokenChanged, type User } from 'firebase/auth';
import { useEffect, useState } from 'react';
import { firebaseServices, type Services } from '../lib/firebase';
import { parseRole } from '../lib/roles';
import type { Role } from '../lib/types';

export type AuthState =
  | { status: 'loading' }
  | { status: 'failed'; error: string }
  | { status: 'signed-out'; services: Services }
  | { status: 'signed-in'; services: Services; user: User; role: Role | undefined };

/** The Firebase services and the signed-in user with the role from their ID token's claims. */
export function useAuth(): AuthState {
  const [state, setState] = useState<AuthState>({ status: 'loading' });

  useEffect(() => {
    let unsubscribe: (() => void) | undefined;
    let cancelled = false;
    firebaseServices().then(
      (services) => {
        if (cancelled) return;
        // onIdTokenChanged (not onAuthStateChanged): a refreshed token may carry a new role.
        unsubscribe = onIdTokenChanged(services.auth, async (user) => {
          if (!user) {
            setState({ status: 'signed-out', services });
            return;
          }
          const token = await user.getIdTokenResult();
          setState({ status: 'signed-in', services, user, role: parseRole(token.claims.role) });
        });
      },
      (error: unknown) => setState({ status: 'failed', error: String(error) }),
    );
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, []);

  return state;
}
