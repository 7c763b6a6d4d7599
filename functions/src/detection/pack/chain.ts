import { is } from '../conditions';
import { defineRule } from '../rule';
import type { PackEntry } from './case';
import { flow, sensorAlert, series, webRequest } from './fixtures';

/** Detections of these built-in rules, or a sensor's alert of the same kind, mark each stage. */
const RECON = is.any(
  is.equals('rule.id', ['port-scan-vertical', 'port-scan-horizontal']),
  is.all(is.equals('event.kind', 'alert'), is.regex('rule.name', '\\b(?:SCAN|nmap|masscan|zmap)\\b'), is.not(is.equals('rule.ruleset', 'threatstream'))),
);
const EXPLOIT = is.any(
  is.equals('rule.id', ['web-sql-injection', 'web-command-injection', 'web-path-traversal', 'web-xss']),
  is.all(is.equals('event.kind', 'alert'), is.regex('rule.category', 'Web Application Attack|Privilege Gain|Exploit|Executable code'), is.not(is.equals('rule.ruleset', 'threatstream'))),
);
const C2 = is.any(
  is.equals('rule.id', 'c2-beaconing'),
  is.all(is.equals('event.kind', 'alert'), is.regex('rule.category', 'Command and Control|Trojan'), is.not(is.equals('rule.ruleset', 'threatstream'))),
);

export const killChain: PackEntry = {
  rule: defineRule({
    id: 'kill-chain-recon-exploit-c2',
    title: 'Intrusion: scan, exploit, then command and control',
    description: 'One source scanned a host, then attacked it, and the host then called back to that source (or was seen beaconing to it) within a day: a compromise in progress.',
    severity: 'CRITICAL',
    eventType: 'c2_beacon',
    techniques: ['T1595', 'T1190', 'T1071'],
    kind: 'sequence',
    // The attacker and the victim; the call back goes the other way, so its step reads the key reversed.
    groupBy: ['source.ip', 'destination.ip'],
    windowSeconds: 24 * 3600,
    steps: [
      { name: 'recon', match: RECON },
      { name: 'exploit', match: EXPLOIT },
      { name: 'c2', match: C2, groupBy: ['destination.ip', 'source.ip'] },
    ],
  }),
  cases: [
    {
      name: 'scan, SQL injection, then beaconing from the victim back to the attacker fire once',
      events: [
        ...series(30, 0, 0.1, (i, at) => flow({ src: '45.77.1.2', dst: '10.0.0.80', dport: 20 + i, at, outcome: 'failure' })),
        webRequest({ src: '45.77.1.2', dst: '10.0.0.80', url: "/item.php?id=1'+OR+'1'='1", at: 120 }),
        ...series(12, 600, 60, (i, at) => flow({ src: '10.0.0.80', dst: '45.77.1.2', dport: 8443, at })),
      ],
      fires: 1,
      keys: [{ 'source.ip': '45.77.1.2', 'destination.ip': '10.0.0.80' }],
    },
    {
      name: 'sensor alerts in the same order fire once',
      events: [
        sensorAlert({ src: '45.77.9.9', dst: '10.0.0.81', signature: 'ET SCAN NMAP -sS window 1024', category: 'Attempted Information Leak', at: 0 }),
        sensorAlert({ src: '45.77.9.9', dst: '10.0.0.81', signature: 'ET EXPLOIT Apache log4j RCE Attempt', category: 'Attempted Administrator Privilege Gain', at: 60 }),
        sensorAlert({ src: '10.0.0.81', dst: '45.77.9.9', dport: 4444, signature: 'ET MALWARE Reverse shell', category: 'A Network Trojan was detected', at: 120 }),
      ],
      fires: 1,
    },
    {
      name: 'exploit before any scan, then C2, does not fire',
      events: [
        webRequest({ src: '45.77.1.3', dst: '10.0.0.82', url: "/item.php?id=1'+OR+'1'='1", at: 0 }),
        ...series(12, 600, 60, (i, at) => flow({ src: '10.0.0.82', dst: '45.77.1.3', dport: 8443, at })),
      ],
      fires: 0,
    },
    {
      name: 'a scan and an exploit against different hosts do not fire',
      events: [
        ...series(30, 0, 0.1, (i, at) => flow({ src: '45.77.1.4', dst: '10.0.0.83', dport: 20 + i, at })),
        webRequest({ src: '45.77.1.4', dst: '10.0.0.84', url: '/get?id=1;DROP+TABLE+users', at: 120 }),
        ...series(12, 600, 60, (i, at) => flow({ src: '10.0.0.84', dst: '45.77.1.4', dport: 8443, at })),
      ],
      fires: 0,
    },
  ],
};
