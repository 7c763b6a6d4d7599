import { is } from '../conditions';
import { defineRule } from '../rule';
import type { PackEntry } from './case';
import { accessLogTime, parsed, series, sshLogin, syslogTime, webRequest } from './fixtures';

/** A login through SSH, as sshd's syslog lines, Zeek's ssh log or Suricata's ssh records give it. */
const SSH = is.any(is.equals('process.name', 'sshd'), is.equals('network.protocol', 'ssh'), is.equals('destination.port', 22));
const FAILED_LOGIN = is.all(is.equals('event.category', 'authentication'), is.equals('event.outcome', 'failure'));
const GOOD_LOGIN = is.all(is.equals('event.category', 'authentication'), is.equals('event.outcome', 'success'));

export const sshBruteForce: PackEntry = {
  rule: defineRule({
    id: 'ssh-brute-force',
    title: 'SSH brute force',
    description: 'Ten or more failed SSH logins from one source within two minutes: password guessing against SSH.',
    severity: 'HIGH',
    eventType: 'brute_force',
    techniques: ['T1110', 'T1110.001'],
    kind: 'threshold',
    match: is.all(FAILED_LOGIN, SSH),
    groupBy: ['source.ip'],
    windowSeconds: 120,
    threshold: 10,
  }),
  cases: [
    { name: '12 failures in 24 s fire once', events: series(12, 0, 2, (i, at) => sshLogin({ src: '203.0.113.9', user: `root`, outcome: 'failure', at })), fires: 1, minCount: 10, keys: [{ 'source.ip': '203.0.113.9' }] },
    { name: '9 failures do not fire', events: series(9, 0, 2, (i, at) => sshLogin({ src: '203.0.113.9', user: 'root', outcome: 'failure', at })), fires: 0 },
    {
      name: 'sshd syslog lines through the syslog adapter: 10 failures fire once',
      events: parsed(series(10, 0, 3, (i, at) => `${syslogTime(at)} bastion sshd[${4000 + i}]: Failed password for invalid user admin${i} from 198.51.100.23 port ${50000 + i} ssh2`)),
      fires: 1,
      keys: [{ 'source.ip': '198.51.100.23' }],
    },
    { name: 'failures spread over 30 minutes do not fire', events: series(15, 0, 130, (i, at) => sshLogin({ src: '203.0.113.9', user: 'root', outcome: 'failure', at })), fires: 0 },
    {
      name: 'each failure delivered twice counts once',
      events: series(6, 0, 2, (i, at) => sshLogin({ id: `dup-${i}`, src: '203.0.113.9', user: 'root', outcome: 'failure', at })).flatMap((e) => [e, e]),
      fires: 0,
    },
    { name: 'failures from ten different sources do not fire', events: series(10, 0, 1, (i, at) => sshLogin({ src: `198.51.100.${i + 1}`, user: 'root', outcome: 'failure', at })), fires: 0 },
  ],
};

export const webLoginBruteForce: PackEntry = {
  rule: defineRule({
    id: 'web-login-brute-force',
    title: 'Web login brute force',
    description: 'Twenty or more rejected POSTs to a login page from one source within a minute: password guessing against a web application.',
    severity: 'HIGH',
    eventType: 'brute_force',
    techniques: ['T1110', 'T1110.001'],
    kind: 'threshold',
    match: is.all(
      is.equals('http.request.method', 'POST'),
      is.regex('url.path', '(?:^|/)(?:login|log-in|signin|sign-in|sign_in|logon|auth|authenticate|session|sessions|wp-login\\.php|xmlrpc\\.php|j_security_check|user/login|account/login)(?:$|[/.?])'),
      is.equals('http.response.status_code', [401, 403, 429]),
    ),
    groupBy: ['source.ip'],
    windowSeconds: 60,
    threshold: 20,
  }),
  cases: [
    { name: '25 rejected logins in 25 s fire once', events: series(25, 0, 1, (i, at) => webRequest({ src: '192.0.2.44', method: 'POST', url: '/wp-login.php', status: 403, at })), fires: 1, minCount: 20 },
    { name: '25 successful page loads do not fire', events: series(25, 0, 1, (i, at) => webRequest({ src: '192.0.2.44', method: 'GET', url: '/login', status: 200, at })), fires: 0 },
    {
      name: 'nginx access lines through the syslog adapter: 20 rejected wp-login POSTs fire once',
      events: parsed(series(20, 0, 1, (i, at) => `192.0.2.44 - - [${accessLogTime(at)}] "POST /wp-login.php HTTP/1.1" 403 512 "-" "python-requests/2.31"`)),
      fires: 1,
    },
    { name: '19 rejected logins do not fire', events: series(19, 0, 1, (i, at) => webRequest({ src: '192.0.2.44', method: 'POST', url: '/api/login', status: 401, at })), fires: 0 },
  ],
};

export const passwordSpraying: PackEntry = {
  rule: defineRule({
    id: 'password-spraying',
    title: 'Password spraying',
    description: 'Failed logins for ten or more different accounts from one source within ten minutes: one password tried across many accounts.',
    severity: 'HIGH',
    eventType: 'brute_force',
    techniques: ['T1110', 'T1110.003'],
    kind: 'distinct',
    match: FAILED_LOGIN,
    groupBy: ['source.ip'],
    field: 'user.name',
    windowSeconds: 600,
    threshold: 10,
  }),
  cases: [
    { name: '12 accounts, one try each, fire once', events: series(12, 0, 20, (i, at) => sshLogin({ src: '203.0.113.50', user: `user${i}`, outcome: 'failure', at })), fires: 1, keys: [{ 'source.ip': '203.0.113.50' }] },
    { name: '30 tries on three accounts do not fire', events: series(30, 0, 5, (i, at) => sshLogin({ src: '203.0.113.50', user: `user${i % 3}`, outcome: 'failure', at })), fires: 0 },
    { name: 'successful logins of many users do not fire', events: series(12, 0, 5, (i, at) => sshLogin({ src: '10.0.0.9', user: `user${i}`, outcome: 'success', at })), fires: 0 },
  ],
};

export const successAfterFailures: PackEntry = {
  rule: defineRule({
    id: 'success-after-failures',
    title: 'Login success after repeated failures',
    description: 'Five or more failed logins followed by a successful one, for the same account from the same source within ten minutes: a guessed password.',
    severity: 'CRITICAL',
    eventType: 'suspicious_login',
    techniques: ['T1110', 'T1078'],
    kind: 'sequence',
    groupBy: ['source.ip', 'user.name'],
    windowSeconds: 600,
    steps: [
      { name: 'failures', match: FAILED_LOGIN, minCount: 5 },
      { name: 'success', match: GOOD_LOGIN },
    ],
  }),
  cases: [
    {
      name: 'six failures then a success fire once',
      events: [...series(6, 0, 3, (i, at) => sshLogin({ src: '203.0.113.77', user: 'admin', outcome: 'failure', at })), sshLogin({ src: '203.0.113.77', user: 'admin', outcome: 'success', at: 30 })],
      fires: 1,
      minCount: 7,
      keys: [{ 'source.ip': '203.0.113.77', 'user.name': 'admin' }],
    },
    {
      name: 'sshd syslog lines: five failures then an accepted password fire once',
      events: parsed([
        ...series(5, 0, 4, (i, at) => `${syslogTime(at)} bastion sshd[77${i}]: Failed password for deploy from 203.0.113.78 port ${41000 + i} ssh2`),
        `${syslogTime(30)} bastion sshd[780]: Accepted password for deploy from 203.0.113.78 port 41010 ssh2`,
      ]),
      fires: 1,
      keys: [{ 'source.ip': '203.0.113.78', 'user.name': 'deploy' }],
    },
    {
      name: 'a success before the failures does not fire',
      events: [sshLogin({ src: '203.0.113.77', user: 'admin', outcome: 'success', at: 0 }), ...series(6, 5, 3, (i, at) => sshLogin({ src: '203.0.113.77', user: 'admin', outcome: 'failure', at }))],
      fires: 0,
    },
    {
      name: 'two failures (a typo) then a success do not fire',
      events: [...series(2, 0, 3, (i, at) => sshLogin({ src: '10.1.1.1', user: 'alice', outcome: 'failure', at })), sshLogin({ src: '10.1.1.1', user: 'alice', outcome: 'success', at: 10 })],
      fires: 0,
    },
    {
      name: 'the success of another account does not complete it',
      events: [...series(6, 0, 3, (i, at) => sshLogin({ src: '203.0.113.77', user: 'admin', outcome: 'failure', at })), sshLogin({ src: '203.0.113.77', user: 'bob', outcome: 'success', at: 30 })],
      fires: 0,
    },
    {
      name: 'failures older than the window do not count',
      events: [...series(6, 0, 3, (i, at) => sshLogin({ src: '203.0.113.77', user: 'admin', outcome: 'failure', at })), sshLogin({ src: '203.0.113.77', user: 'admin', outcome: 'success', at: 1200 })],
      fires: 0,
    },
  ],
};
