import { describe, expect, it } from 'vitest';
import { parseDetectionConfig } from '../domain/config';
import { BUILTIN_PLAYBOOKS } from './builtins';
import { PlaybookSchema, type Playbook } from '../domain/playbook';
import {
  autoRunId,
  backoffDelayMs,
  chooseBlockTarget,
  chooseIsolationTarget,
  manualRunId,
  matchesTrigger,
  playbooksToStart,
  ticketPriority,
  type AlertFacts,
} from './plan';
import { finalRunStatus, nextStepIndex } from './run';

const config = parseDetectionConfig({ criticalAssets: '10.0.0.100/32, 8.8.8.8', internalCidrs: '198.18.0.0/15' });

function playbook(overrides: Partial<Playbook> & Pick<Playbook, 'id' | 'trigger'>): Playbook {
  return PlaybookSchema.parse({
    version: 1,
    name: overrides.id,
    description: '',
    auto: true,
    steps: [{ action: 'notify_email' }],
    ...overrides,
  });
}

const alert = (facts: Partial<AlertFacts> = {}): AlertFacts => ({
  severity: 'HIGH',
  eventType: 'brute_force',
  occurrences: 1,
  status: 'OPEN',
  ...facts,
});

describe('matchesTrigger', () => {
  const trigger = { severities: ['CRITICAL', 'HIGH'] as const, eventTypes: ['brute_force'] as const, minOccurrences: 3 };
  it.each([
    ['matching', alert({ occurrences: 3 }), true],
    ['more occurrences than needed', alert({ occurrences: 40 }), true],
    ['too few occurrences', alert({ occurrences: 2 }), false],
    ['severity not listed', alert({ occurrences: 3, severity: 'MEDIUM' }), false],
    ['other event type', alert({ occurrences: 3, eventType: 'ddos' }), false],
    ['acknowledged alerts still match', alert({ occurrences: 3, status: 'ACKNOWLEDGED' }), true],
    ['resolved alerts never match', alert({ occurrences: 3, status: 'RESOLVED' }), false],
  ])('%s', (_name, facts, expected) => {
    expect(matchesTrigger({ ...trigger, severities: [...trigger.severities], eventTypes: [...trigger.eventTypes] }, facts)).toBe(expected);
  });

  it('an empty event type list matches every type', () => {
    expect(matchesTrigger({ severities: ['HIGH'], eventTypes: [], minOccurrences: 1 }, alert({ eventType: 'xss' }))).toBe(true);
  });
});

describe('playbooksToStart', () => {
  const bruteForce = playbook({ id: 'bf', trigger: { severities: ['HIGH', 'CRITICAL'], eventTypes: ['brute_force'], minOccurrences: 1 } });
  const sustained = playbook({ id: 'sustained', trigger: { severities: ['HIGH', 'CRITICAL'], eventTypes: [], minOccurrences: 5 } });
  const criticalOnly = playbook({ id: 'critical', trigger: { severities: ['CRITICAL'], eventTypes: [], minOccurrences: 1 } });
  const manual = playbook({ id: 'manual', auto: false, trigger: { severities: ['HIGH'], eventTypes: [], minOccurrences: 1 } });
  const all = [bruteForce, sustained, criticalOnly, manual];
  const ids = (list: Playbook[]) => list.map((p) => p.id);

  it('starts the matching auto playbooks when an alert is created', () => {
    expect(ids(playbooksToStart(all, undefined, alert()))).toEqual(['bf']);
  });

  it('starts a minOccurrences playbook on the update that reaches the threshold, and only then', () => {
    expect(ids(playbooksToStart(all, alert({ occurrences: 4 }), alert({ occurrences: 5 })))).toEqual(['sustained']);
    expect(ids(playbooksToStart(all, alert({ occurrences: 5 }), alert({ occurrences: 6 })))).toEqual([]);
    expect(ids(playbooksToStart(all, alert({ occurrences: 2 }), alert({ occurrences: 3 })))).toEqual([]);
  });

  it('starts a playbook when an escalation brings the alert into its severities', () => {
    expect(ids(playbooksToStart(all, alert({ severity: 'HIGH' }), alert({ severity: 'CRITICAL' })))).toEqual(['critical']);
  });

  it('starts nothing for an update that changes nothing a trigger reads, or resolves the alert', () => {
    expect(playbooksToStart(all, alert(), alert())).toEqual([]);
    expect(playbooksToStart(all, alert(), alert({ status: 'RESOLVED', occurrences: 50, severity: 'CRITICAL' }))).toEqual([]);
  });

  it('never starts a manual-only playbook', () => {
    expect(ids(playbooksToStart([manual], undefined, alert()))).toEqual([]);
  });
});

describe('run ids', () => {
  it('one automatic run id per alert and playbook', () => {
    expect(autoRunId('a1', 'p1')).toBe(autoRunId('a1', 'p1'));
    expect(autoRunId('a1', 'p1')).not.toBe(autoRunId('a1', 'p2'));
    expect(autoRunId('a1', 'p1')).not.toBe(autoRunId('a2', 'p1'));
    // Separators cannot be forged: ("a|b", "c") and ("a", "b|c") differ.
    expect(autoRunId('a|b', 'c')).not.toBe(autoRunId('a', 'b|c'));
    expect(autoRunId('a1', 'p1')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('manual ids never collide with automatic ones', () => {
    expect(manualRunId('a1|p1')).not.toBe(autoRunId('a1', 'p1'));
    expect(manualRunId('k')).toBe(manualRunId('k'));
  });
});

describe('run status', () => {
  const steps = (...statuses: ('SUCCEEDED' | 'FAILED' | 'SKIPPED')[]) => statuses.map((status) => ({ status }));
  it.each([
    [steps('SUCCEEDED', 'SUCCEEDED'), 'SUCCEEDED'],
    [steps('SUCCEEDED', 'FAILED'), 'PARTIAL'],
    [steps('SUCCEEDED', 'FAILED', 'SKIPPED'), 'PARTIAL'],
    [steps('FAILED', 'SKIPPED'), 'FAILED'],
    [steps('FAILED', 'FAILED'), 'FAILED'],
  ] as const)('%j → %s', (list, expected) => {
    expect(finalRunStatus(list)).toBe(expected);
  });

  it('the next step is the first one not done; a RUNNING step is resumed', () => {
    expect(nextStepIndex([{ status: 'SUCCEEDED' }, { status: 'RUNNING' }, { status: 'PENDING' }])).toBe(1);
    expect(nextStepIndex([{ status: 'SUCCEEDED' }, { status: 'FAILED' }, { status: 'PENDING' }])).toBe(2);
    expect(nextStepIndex([{ status: 'SUCCEEDED' }, { status: 'SKIPPED' }])).toBeUndefined();
  });
});

describe('chooseBlockTarget', () => {
  const addresses = (sourceIp: string, destinationIp?: string) => ({ sourceIp, ...(destinationIp && { destinationIp }) });
  it.each([
    ['a public source', 'source', addresses('185.234.72.91', '10.0.0.5'), '185.234.72.91'],
    ['the public destination of an internal sender', 'external', addresses('10.0.0.5', '185.234.72.91'), '185.234.72.91'],
    ['the source first when both are public', 'external', addresses('185.234.72.91', '45.9.148.3'), '185.234.72.91'],
    ['an explicit destination', 'destination', addresses('10.0.0.5', '45.9.148.3'), '45.9.148.3'],
    ['a public IPv6 source', 'source', addresses('2a03:2880:f12f:83:face:b00c:0:25de'), '2a03:2880:f12f:83:face:b00c:0:25de'],
  ] as const)('blocks %s', (_name, target, input, ip) => {
    expect(chooseBlockTarget(target, input, config)).toMatchObject({ ok: true, ip, zone: 'public' });
  });

  it.each([
    ['a private source', 'source', addresses('10.1.2.3'), /10\.1\.2\.3 is in the private zone/],
    ['an IPv4-mapped private source', 'source', addresses('::ffff:192.168.1.20'), /private zone/],
    ['loopback', 'source', addresses('127.0.0.1'), /loopback zone/],
    ['a configured internal range', 'source', addresses('198.18.0.9'), /internal zone/],
    ['a public critical asset', 'source', addresses('8.8.8.8'), /8\.8\.8\.8 is a critical asset/],
    ['a documentation address', 'source', addresses('203.0.113.7'), /reserved zone/],
    ['a missing destination', 'destination', addresses('185.234.72.91'), /no destination address/],
    ['two internal addresses', 'external', addresses('10.0.0.5', '10.0.0.100'), /source 10\.0\.0\.5 .*destination 10\.0\.0\.100/],
  ] as const)('refuses %s', (_name, target, input, reason) => {
    const choice = chooseBlockTarget(target, input, config);
    expect(choice.ok).toBe(false);
    expect(!choice.ok && choice.reason).toMatch(/^refused to block: /);
    expect(!choice.ok && choice.reason).toMatch(reason);
  });
});

describe('chooseIsolationTarget', () => {
  it('isolates the internal host that was hit (destination first), else the internal source', () => {
    expect(chooseIsolationTarget('internal', { sourceIp: '185.234.72.91', destinationIp: '10.0.0.42' }, config)).toMatchObject({
      ok: true,
      ip: '10.0.0.42',
    });
    expect(chooseIsolationTarget('internal', { sourceIp: '10.0.0.7', destinationIp: '45.9.148.3' }, config)).toMatchObject({
      ok: true,
      ip: '10.0.0.7',
    });
  });

  it('refuses public hosts and critical assets', () => {
    const publicOnly = chooseIsolationTarget('internal', { sourceIp: '185.234.72.91', destinationIp: '45.9.148.3' }, config);
    expect(publicOnly.ok).toBe(false);
    const critical = chooseIsolationTarget('destination', { sourceIp: '185.234.72.91', destinationIp: '10.0.0.100' }, config);
    expect(!critical.ok && critical.reason).toMatch(/10\.0\.0\.100 is a critical asset/);
  });
});

describe('ticketPriority', () => {
  it.each([
    ['CRITICAL', 'P1'],
    ['HIGH', 'P2'],
    ['MEDIUM', 'P3'],
    ['LOW', 'P4'],
    ['INFO', 'P4'],
  ] as const)('%s → %s', (severity, priority) => {
    expect(ticketPriority(severity)).toBe(priority);
  });
});

describe('backoffDelayMs', () => {
  const policy = { baseMs: 200, maxMs: 1_000 };
  it('doubles per retry, capped, with half of it jittered', () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBe(100);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(200);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(400);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(600);
    expect(backoffDelayMs(10, policy, () => 1)).toBe(1_000);
    expect(backoffDelayMs(10, policy, () => 0)).toBe(500);
  });
});

describe('built-in playbooks', () => {
  it('has the five required responses, all automatic, plus escalation and a manual one', () => {
    const ids = BUILTIN_PLAYBOOKS.map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'brute-force-response',
        'ransomware-containment',
        'data-exfiltration-response',
        'ddos-mitigation',
        'malware-containment',
      ]),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(BUILTIN_PLAYBOOKS.filter((p) => !p.auto).map((p) => p.id)).toEqual(['open-investigation']);
  });

  it('uses every action at least once', () => {
    const actions = new Set(BUILTIN_PLAYBOOKS.flatMap((p) => p.steps.map((s) => s.action)));
    expect([...actions].sort()).toEqual(['block_ip', 'create_ticket', 'escalate', 'isolate_host', 'notify_email', 'notify_webhook']);
  });

  it('applies defaults to omitted params', () => {
    const bruteForce = BUILTIN_PLAYBOOKS.find((p) => p.id === 'brute-force-response')!;
    expect(bruteForce.steps[1]).toMatchObject({ action: 'notify_webhook', onFailure: 'continue', params: { maxAttempts: 3, attemptTimeoutMs: 5_000 } });
    expect(bruteForce.steps[2]).toMatchObject({ action: 'notify_email', params: { subjectPrefix: '[ThreatStream]' } });
  });
});

describe('PlaybookSchema', () => {
  const valid = {
    id: 'custom-one',
    version: 1,
    name: 'Custom',
    description: '',
    auto: false,
    trigger: { severities: ['HIGH'] },
    steps: [{ action: 'block_ip' }],
  };

  it('accepts a minimal playbook and fills the defaults', () => {
    expect(PlaybookSchema.parse(valid)).toMatchObject({
      trigger: { eventTypes: [], minOccurrences: 1 },
      steps: [{ action: 'block_ip', params: { target: 'source', ttlHours: 24 }, timeoutMs: 30_000, onFailure: 'continue' }],
    });
  });

  it.each([
    ['an unknown action', { steps: [{ action: 'format_disk' }] }, /action/],
    ['a parameter of another action', { steps: [{ action: 'block_ip', params: { format: 'slack' } }] }, /format/],
    ['an escalation with nothing to do', { steps: [{ action: 'escalate', params: {} }] }, /severity, an assignee/],
    ['an invalid e-mail', { steps: [{ action: 'notify_email', params: { to: ['not-an-address'] } }] }, /to/],
    ['no steps', { steps: [] }, /steps/],
    ['steps over the run budget', { steps: Array.from({ length: 3 }, () => ({ action: 'notify_email', timeoutMs: 100_000 })) }, /add up to more than 240000/],
    ['an id with capitals', { id: 'Custom' }, /lower-case/],
    ['no severities', { trigger: { severities: [] } }, /severities/],
  ])('rejects %s', (_name, change, message) => {
    const result = PlaybookSchema.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
