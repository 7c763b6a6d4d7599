import { signOut, type User } from 'firebase/auth';
import { useAuth } from '../hooks/useAuth';
import type { Services } from '../lib/firebase';
import type { Role } from '../lib/types';
import { Dashboard } from './Dashboard';
import { DetectionMenu } from './DetectionMenu';
import { Footer } from './Footer';
import { Header } from './Header';
import { SignIn } from './SignIn';

export function App() {
  const auth = useAuth();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {auth.status === 'signed-in' ? (
        <SignedIn services={auth.services} user={auth.user} role={auth.role} />
      ) : (
        <>
          <Header />
          <main id="main" className="centred" tabIndex={-1}>
            {auth.status === 'loading' && <p role="status">Loading…</p>}
            {auth.status === 'failed' && <p role="alert">ThreatStream could not start: {auth.error}</p>}
            {auth.status === 'signed-out' && <SignIn services={auth.services} />}
          </main>
          <Footer services={auth.status === 'signed-out' ? auth.services : undefined} />
        </>
      )}
    </>
  );
}

function SignedIn({ services, user, role }: { services: Services; user: User; role: Role | undefined }) {
  return (
    <>
      <Header user={user} role={role} onSignOut={() => void signOut(services.auth)} live>
        {role && <DetectionMenu user={user} role={role} />}
      </Header>
      <main id="main" tabIndex={-1}>
        {role ? (
          // Keyed on the user: another user's sign-in remounts everything, listeners included.
          <Dashboard key={user.uid} services={services} user={user} role={role} />
        ) : (
          <section className="panel centred-panel" aria-labelledby="no-role-heading">
            <h2 id="no-role-heading">No role yet</h2>
            <p>
              You are signed in as <strong>{user.email ?? user.uid}</strong>, but your account has no ThreatStream role. An
              admin must grant you one (viewer, analyst, responder or admin); then sign out and in again.
            </p>
          </section>
        )}
      </main>
      <Footer services={services} />
    </>
  );
}
