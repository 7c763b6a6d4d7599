import { signInWithEmailAndPassword } from 'firebase/auth';
import { useId, useState, type FormEvent } from 'react';
import type { Services } from '../lib/firebase';

function signInError(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  if (['auth/invalid-credential', 'auth/wrong-password', 'auth/user-not-found', 'auth/invalid-email'].includes(code)) {
    return 'That email and password do not match an account.';
  }
  if (code === 'auth/too-many-requests') return 'Too many attempts; wait a moment and try again.';
  if (code === 'auth/network-request-failed') return 'The sign-in service could not be reached.';
  return `Sign-in failed (${code || String(error)}).`;
}

export function SignIn({ services }: { services: Services }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInWithEmailAndPassword(services.auth, email.trim(), password);
    } catch (caught) {
      setError(signInError(caught));
      setBusy(false);
    }
  }

  return (
    <section className="panel sign-in" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">Sign in</h2>
      <form onSubmit={submit} aria-describedby={error ? errorId : undefined}>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {error && (
          <p id={errorId} role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {services.emulated && (
        <p className="hint">
          Local emulators: <code>node tools/users.mjs demo</code> creates viewer@, analyst@, responder@ and admin@threatstream.test,
          each with the password <code>threatstream-</code> followed by the role.
        </p>
      )}
    </section>
  );
}
