import type { User } from 'firebase/auth';
import { useState } from 'react';
import { roleAtLeast } from '../lib/roles';
import type { Role } from '../lib/types';
import { CoverageMatrix } from './CoverageMatrix';
import { ExceptionsPanel } from './ExceptionsPanel';
import { Modal } from './Modal';
import { RulesPanel } from './RulesPanel';

type View = 'coverage' | 'rules' | 'exceptions';

/**
 * The detection catalog from the top bar: the ATT&CK coverage for everyone, rules and exceptions
 * for analysts and up. Each opens in a dialog, so the page stays one window tall.
 */
export function DetectionMenu({ user, role }: { user: User; role: Role }) {
  const [view, setView] = useState<View>();
  const analyst = roleAtLeast(role, 'analyst');
  const close = () => setView(undefined);
  return (
    <nav className="detection-menu" aria-label="Detection">
      <button type="button" aria-haspopup="dialog" onClick={() => setView('coverage')}>
        ATT&amp;CK coverage
      </button>
      {analyst && (
        <>
          <button type="button" aria-haspopup="dialog" onClick={() => setView('rules')}>
            Rules
          </button>
          <button type="button" aria-haspopup="dialog" onClick={() => setView('exceptions')}>
            Exceptions
          </button>
        </>
      )}
      {view === 'coverage' && (
        <Modal title="ATT&CK coverage of the enabled rules" className="wide" onClose={close} testId="coverage-dialog">
          <CoverageMatrix user={user} />
        </Modal>
      )}
      {view === 'rules' && analyst && (
        <Modal title="Detection rules" className="wide" onClose={close} testId="rules-dialog">
          <RulesPanel user={user} role={role} />
        </Modal>
      )}
      {view === 'exceptions' && analyst && (
        <Modal title="Detection exceptions" className="wide" onClose={close} testId="exceptions-dialog">
          <ExceptionsPanel user={user} />
        </Modal>
      )}
    </nav>
  );
}
