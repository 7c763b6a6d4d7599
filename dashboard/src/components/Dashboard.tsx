import type { User } from 'firebase/auth';
import { useMemo } from 'react';
import { useDocSnapshot } from '../hooks/useSnapshot';
import { usePlaybooks } from '../hooks/usePlaybooks';
import type { Services } from '../lib/firebase';
import { millis } from '../lib/format';
import { currentRiskIndexRef } from '../lib/queries';
import { roleAtLeast } from '../lib/roles';
import type { RiskIndexDoc, Role } from '../lib/types';
import { AlertsPanel } from './AlertsPanel';
import { ChartsPanel } from './ChartsPanel';
import { RiskPanel } from './RiskPanel';
import { ThreatStream } from './ThreatStream';

export function Dashboard({ services, user, role }: { services: Services; user: User; role: Role }) {
  const { db } = services;
  const playbooks = usePlaybooks(user, roleAtLeast(role, 'responder'));
  const riskRef = useMemo(() => currentRiskIndexRef(db), [db]);
  const risk = useDocSnapshot<RiskIndexDoc>('riskIndex:current', riskRef);
  return (
    <div className="dashboard">
      <RiskPanel db={db} current={risk} />
      {/* The charts refresh when the risk index moves on (once a minute). */}
      <ChartsPanel user={user} refreshKey={millis(risk.data?.computedAt)} />
      <ThreatStream db={db} user={user} role={role} />
      <AlertsPanel db={db} user={user} role={role} playbooks={playbooks} />
    </div>
  );
}
