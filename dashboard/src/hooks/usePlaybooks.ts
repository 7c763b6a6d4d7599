import type { User } from 'firebase/auth';
import { useEffect, useState } from 'react';
import { apiRequest, errorText } from '../lib/api';
import type { PlaybookSummary } from '../lib/types';

export interface PlaybooksState {
  playbooks: PlaybookSummary[];
  loaded: boolean;
  error: string | undefined;
}

/** The playbook catalogue (GET /api/playbooks), once per session, for users who may run them. */
export function usePlaybooks(user: User, enabled: boolean): PlaybooksState {
  const [state, setState] = useState<PlaybooksState>({ playbooks: [], loaded: false, error: undefined });
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    apiRequest<{ playbooks: PlaybookSummary[] }>(user, 'GET', '/api/playbooks').then(
      (body) => !cancelled && setState({ playbooks: body.playbooks ?? [], loaded: true, error: undefined }),
      (error: unknown) => !cancelled && setState({ playbooks: [], loaded: true, error: errorText(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [user, enabled]);
  return state;
}
