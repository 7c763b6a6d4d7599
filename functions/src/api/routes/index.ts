import type { RouteSpec } from '../route';
import { addNeverBlockRoute, listNeverBlockRoute, removeNeverBlockRoute } from './never-block';
import { approveRoute, listApprovalsRoute, rejectRoute } from './approvals';
import { acknowledgeAlertRoute, activeAlertsRoute, resolveAlertRoute } from './alerts';
import { dashboardRoute, riskIndexRoute, summaryRoute, timelineRoute } from './analytics';
import { detectionRoutes } from './detection';
import { docsRoutes } from './docs';
import { healthRoute } from './health';
import { executePlaybookRoute, listPlaybooksRoute, playbookHistoryRoute } from './playbooks';
import { simulateEventRoute } from './simulate';
import { recentThreatsRoute, threatByIdRoute, threatStatsRoute } from './threats';

/** Every route, in matching order (fixed paths before parameterised ones). */
export const apiRoutes: RouteSpec[] = [
  healthRoute,
  recentThreatsRoute,
  threatStatsRoute,
  threatByIdRoute,
  activeAlertsRoute,
  acknowledgeAlertRoute,
  resolveAlertRoute,
  dashboardRoute,
  riskIndexRoute,
  timelineRoute,
  summaryRoute,
  listPlaybooksRoute,
  executePlaybookRoute,
  playbookHistoryRoute,
  listApprovalsRoute,
  approveRoute,
  rejectRoute,
  listNeverBlockRoute,
  addNeverBlockRoute,
  removeNeverBlockRoute,
  simulateEventRoute,
  ...detectionRoutes,
];
apiRoutes.push(...docsRoutes(() => apiRoutes));
