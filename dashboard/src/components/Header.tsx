import type { User } from 'firebase/auth';
import type { ReactNode } from 'react';
import { useConnection, type ConnectionState } from '../hooks/useConnection';
import type { Role } from '../lib/types';

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting… showing the last data received',
  offline: 'Offline: showing the last data received; updates resume when the network is back',
};

function ConnectionBadge() {
  const state = useConnection();
  return (
    <p className={`connection connection-${state}`} role="status" data-connection={state}>
      <span className="dot" aria-hidden="true" />
      {CONNECTION_TEXT[state]}
    </p>
  );
}

export function Header({ user, role, onSignOut, live = false, children }: { user?: User; role?: Role; onSignOut?: () => void; live?: boolean; children?: ReactNode }) {
  return (
    <header className="top-bar">
      <h1>
        <span aria-hidden="true" className="logo">
          ◆
        </span>{' '}
        ThreatStream
      </h1>
      {live && <ConnectionBadge />}
      {children}
      {user && (
        <div className="who">
          <span className="user-email">{user.email ?? user.uid}</span>
          <span className={`role-badge role-${role ?? 'none'}`} data-role={role ?? 'none'}>
            <span className="visually-hidden">Role: </span>
            {role ?? 'no role'}
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      )}
    </header>
  );
}
