import { is } from '../conditions';
import { defineRule } from '../rule';
import type { PackEntry } from './case';
import { flow, series } from './fixtures';

/** A connection record (Suricata flow, Zeek conn, a firewall's CEF), not an app-layer record. */
const FLOW = is.all(is.equals('event.category', 'network'), is.equals('event.type', 'connection'));
const INTERNAL = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];
const OUTBOUND = is.all(is.cidr('source.ip', INTERNAL), is.not(is.cidr('destination.ip', [...INTERNAL, '127.0.0.0/8', '::1/128', '169.254.0.0/16', '224.0.0.0/4'])));

export const verticalPortScan: PackEntry = {
  rule: defineRule({
    id: 'port-scan-vertical',
    title: 'Vertical port scan',
    description: 'One source touched 25 or more ports of one host within a minute: service discovery on that host.',
    severity: 'MEDIUM',
    eventType: 'port_scan',
    techniques: ['T1046'],
    kind: 'distinct',
    match: FLOW,
    groupBy: ['source.ip', 'destination.ip'],
    field: 'destination.port',
    windowSeconds: 60,
    threshold: 25,
  }),
  cases: [
    { name: '100 ports in 10 s fire once', events: series(100, 0, 0.1, (i, at) => flow({ src: '203.0.113.5', dst: '10.0.0.20', dport: 1 + i, at, outcome: 'failure' })), fires: 1, keys: [{ 'source.ip': '203.0.113.5', 'destination.ip': '10.0.0.20' }] },
    { name: 'a browser opening 40 connections to port 443 does not fire', events: series(40, 0, 0.5, (i, at) => flow({ src: '10.0.0.7', dst: '93.184.216.34', dport: 443, at })), fires: 0 },
    { name: '24 ports do not fire', events: series(24, 0, 1, (i, at) => flow({ src: '203.0.113.5', dst: '10.0.0.20', dport: 1000 + i, at })), fires: 0 },
  ],
};

export const horizontalPortScan: PackEntry = {
  rule: defineRule({
    id: 'port-scan-horizontal',
    title: 'Horizontal port scan',
    description: 'One source touched the same port on 25 or more hosts within a minute: a sweep of a network for one service.',
    severity: 'MEDIUM',
    eventType: 'port_scan',
    techniques: ['T1046', 'T1595', 'T1595.001'],
    kind: 'distinct',
    match: FLOW,
    groupBy: ['source.ip', 'destination.port'],
    field: 'destination.ip',
    windowSeconds: 60,
    threshold: 25,
  }),
  cases: [
    { name: 'port 445 on 60 hosts fires once', events: series(60, 0, 0.2, (i, at) => flow({ src: '10.9.9.9', dst: `10.0.1.${i + 1}`, dport: 445, at })), fires: 1, keys: [{ 'source.ip': '10.9.9.9', 'destination.port': '445' }] },
    { name: 'a resolver querying 3 DNS servers does not fire', events: series(60, 0, 1, (i, at) => flow({ src: '10.0.0.2', dst: `10.0.0.${53 + (i % 3)}`, dport: 53, transport: 'udp', at })), fires: 0 },
  ],
};

export const ddosByRate: PackEntry = {
  rule: defineRule({
    id: 'ddos-rate',
    title: 'Connection flood (DDoS)',
    description: 'Connections to one host in ten seconds reached 500 and ten times their mean of the minute before: a flood against that host.',
    severity: 'HIGH',
    eventType: 'ddos',
    techniques: ['T1498', 'T1498.001'],
    kind: 'rate',
    match: FLOW,
    groupBy: ['destination.ip'],
    bucketSeconds: 10,
    baselineBuckets: 6,
    minCount: 500,
    factor: 10,
  }),
  cases: [
    {
      name: 'quiet minute then 800 connections in 8 s fire once',
      events: [
        ...series(60, 0, 1, (i, at) => flow({ src: `198.51.100.${1 + (i % 50)}`, dst: '10.0.0.80', dport: 443, at })),
        ...series(800, 60, 0.01, (i, at) => flow({ src: `203.0.${i % 250}.${1 + (i % 200)}`, dst: '10.0.0.80', dport: 443, at })),
      ],
      fires: 1,
      minCount: 500,
    },
    {
      name: 'steady heavy traffic (600 per 10 s for two minutes) does not fire',
      events: series(7200, 0, 1 / 60, (i, at) => flow({ src: `198.51.100.${1 + (i % 200)}`, dst: '10.0.0.81', dport: 443, at })),
      fires: 0,
    },
  ],
};

export const exfiltrationByVolume: PackEntry = {
  rule: defineRule({
    id: 'exfiltration-volume',
    title: 'Large outbound transfer',
    description: 'An internal host sent 500 MB or more to the internet within an hour: possible data exfiltration.',
    severity: 'HIGH',
    eventType: 'data_exfiltration',
    techniques: ['T1041'],
    kind: 'threshold',
    match: is.all(FLOW, OUTBOUND),
    groupBy: ['source.ip'],
    windowSeconds: 3600,
    threshold: 500_000_000,
    sumOf: 'source.bytes',
  }),
  cases: [
    { name: '60 flows of 10 MB to the internet fire once', events: series(60, 0, 30, (i, at) => flow({ src: '10.0.0.33', dst: '185.220.101.4', dport: 443, bytesOut: 10_000_000, at })), fires: 1, keys: [{ 'source.ip': '10.0.0.33' }] },
    { name: '600 MB between internal hosts (a backup) does not fire', events: series(60, 0, 30, (i, at) => flow({ src: '10.0.0.33', dst: '10.0.5.5', dport: 873, bytesOut: 10_000_000, at })), fires: 0 },
    { name: '400 MB to the internet does not fire', events: series(40, 0, 30, (i, at) => flow({ src: '10.0.0.33', dst: '185.220.101.4', dport: 443, bytesOut: 10_000_000, at })), fires: 0 },
  ],
};

export const c2Beaconing: PackEntry = {
  rule: defineRule({
    id: 'c2-beaconing',
    title: 'C2 beaconing',
    description: 'An internal host connected to one internet address and port at regular intervals (jitter within 10%, ten or more times): a command-and-control implant checking in.',
    severity: 'HIGH',
    eventType: 'c2_beacon',
    techniques: ['T1071'],
    kind: 'beacon',
    match: is.all(FLOW, OUTBOUND),
    groupBy: ['source.ip', 'destination.ip', 'destination.port'],
    windowSeconds: 6 * 3600,
    minEvents: 10,
    maxJitter: 0.1,
    minIntervalSeconds: 5,
  }),
  cases: [
    {
      name: 'a check-in every 60 s ± 3 s fires once',
      events: series(12, 0, 60, (i, at) => flow({ src: '10.0.0.66', dst: '45.77.1.2', dport: 8443, at: at + ((i * 7) % 5) - 2 })),
      fires: 1,
      keys: [{ 'source.ip': '10.0.0.66', 'destination.ip': '45.77.1.2', 'destination.port': '8443' }],
    },
    {
      name: 'irregular browsing to one site does not fire',
      events: series(12, 0, 1, (i, at) => flow({ src: '10.0.0.66', dst: '93.184.216.34', dport: 443, at: at * ((i * 37) % 11) * 13 + i * 50 })),
      fires: 0,
    },
    { name: 'a burst every 100 ms (below the 5 s floor) does not fire', events: series(20, 0, 0.1, (i, at) => flow({ src: '10.0.0.66', dst: '45.77.1.2', dport: 8443, at })), fires: 0 },
  ],
};
