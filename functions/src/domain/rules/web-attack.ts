import { displayText, fieldNames, noisyOr, readFlag, readNumber, readText, type Payload } from '../evidence';
import { SHOWN_TEXT, type Evidence, type Finding } from './finding';

const REQUEST_TEXT = fieldNames('query', 'url', 'uri', 'request', 'request_uri', 'path', 'query_string', 'parameter', 'param', 'params', 'body', 'request_body', 'input', 'user_input', 'data', 'payload', 'value');
const STATUS_CODE = fieldNames('status_code', 'response_code', 'http_status', 'status');
const BLOCKED = fieldNames('blocked', 'waf_blocked', 'prevented', 'denied');
const USER_AGENT = fieldNames('user_agent', 'ua', 'tool');
/** Request text scanned for patterns: bounded, so a hostile 64 KB body costs microseconds. */
const SCANNED_REQUEST_LENGTH = 4096;

type PatternTable = readonly (readonly [name: string, pattern: RegExp])[];

/** Injection patterns, each linear-time (no nested quantifiers): request text is hostile. */
const SQL_INJECTION_PATTERNS: PatternTable = [
  ['union_select', /\bunion\b[\s/*+(]+(?:all[\s/*+(]+)?select\b/i],
  ['tautology', /['"\d)]\s*\b(?:or|and)\b\s*['"(]?\s*(\w+)\s*['")]?\s*(?:=|like)\s*['"(]?\s*\1\b/i],
  ['comment_terminator', /['"]\s*(?:--|#|\/\*)/],
  ['stacked_query', /;\s*(?:drop|delete|insert|update|shutdown|exec|execute|declare|truncate)\b/i],
  ['time_based', /\b(?:sleep|pg_sleep|benchmark)\s*\(|\bwaitfor\s+delay\b/i],
  ['schema_probe', /\binformation_schema\b|\bsysobjects\b|\bsqlite_master\b|\bpg_catalog\b|\ball_tables\b/i],
  ['command_execution', /\bxp_cmdshell\b|\binto\s+(?:out|dump)file\b|\bload_file\s*\(/i],
  ['error_based', /\b(?:extractvalue|updatexml)\s*\(|\bconvert\s*\(\s*int\b/i],
];
const XSS_PATTERNS: PatternTable = [
  ['script_tag', /(?:<|&lt;)\s*\/?\s*script\b/i],
  ['event_handler', /\bon(?:error|load|mouseover|mouseenter|focus|blur|click|animationstart|toggle|pointerover|begin)\s*=/i],
  ['javascript_uri', /\bjavascript\s*:/i],
  ['dangerous_tag', /(?:<|&lt;)\s*(?:iframe|svg|object|embed|math|base|meta)\b/i],
  ['cookie_access', /\bdocument\s*\.\s*cookie\b/i],
  ['dom_sink', /\b(?:eval|alert|prompt|confirm|fetch)\s*\(|\bdocument\s*\.\s*write\b|\.innerHTML\s*=/i],
];
const ATTACK_TOOL = /\b(?:sqlmap|havij|xsstrike|xsser|dalfox|nuclei|burp|acunetix|nikto)\b/i;

/** The request text, URL-decoded once when it looks encoded ("%27%20OR%201%3D1"). */
function requestText(payload: Payload): string | undefined {
  const raw = readText(payload, REQUEST_TEXT, SCANNED_REQUEST_LENGTH);
  if (raw === undefined || raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw; // malformed escapes: scan the text as sent
  }
}

function matchPatterns(text: string | undefined, table: PatternTable): string[] {
  const matched: string[] = [];
  if (text === undefined) return matched;
  for (const [name, pattern] of table) if (pattern.test(text)) matched.push(name);
  return matched;
}

/** 1 pattern 0.5, 2 → 0.7, 3 → 0.8, … : independent patterns agreeing. */
function patternStrength(matches: number): number {
  return matches === 0 ? 0 : 1 - 0.5 * Math.pow(0.6, matches - 1);
}

/** SQL injection and XSS: which attack patterns the request text matches, and how it was answered. */
export function analyseWebAttack(payload: Payload, kind: 'sql_injection' | 'xss'): Finding {
  const text = requestText(payload);
  const matched = matchPatterns(text, kind === 'sql_injection' ? SQL_INJECTION_PATTERNS : XSS_PATTERNS);
  const status = readNumber(payload, STATUS_CODE);
  const blocked = readFlag(payload, BLOCKED) === true || status === 403 || status === 406;
  const served = !blocked && status !== undefined && status >= 200 && status < 300;
  const userAgent = readText(payload, USER_AGENT, 256);
  const tool = userAgent === undefined ? undefined : ATTACK_TOOL.exec(userAgent)?.[0];

  const evidence: Evidence = {};
  if (matched.length > 0) evidence.patterns = matched.join(',');
  if (text !== undefined) evidence.sample = displayText(text, SHOWN_TEXT);
  if (status !== undefined) evidence.status_code = status;
  if (blocked) evidence.blocked = true;
  if (tool !== undefined) evidence.tool = tool.toLowerCase();

  const parts: string[] = [];
  if (matched.length > 0) parts.push(`request matches ${matched.map((name) => name.replaceAll('_', ' ')).join(', ')}`);
  else if (text !== undefined) parts.push('request text matches no known pattern');
  if (tool !== undefined) parts.push(`sent by ${tool.toLowerCase()}`);
  if (blocked) parts.push('(blocked)');
  else if (served) parts.push(`(answered ${status})`);

  const sql = kind === 'sql_injection';
  return {
    category: kind,
    headline: sql ? 'SQL injection attempt' : 'Cross-site scripting attempt',
    detail: parts.length > 0 ? parts.join(' ') : undefined,
    evidence,
    strength: noisyOr(patternStrength(matched.length), tool !== undefined ? 0.3 : 0, served && matched.length > 0 ? 0.3 : 0),
    techniques: { cookieTheft: matched.includes('cookie_access') },
    actions: sql
      ? [
          blocked ? 'Keep the WAF rule that blocked it; block the source if it persists' : 'Block the source and add a WAF rule for the pattern',
          'Check the application uses parameterised queries on the targeted endpoint',
          'Review database logs for unexpected reads or writes from the application account',
        ]
      : [
          blocked ? 'Keep the WAF rule that blocked it' : 'Block the source and add a WAF rule for the pattern',
          'Encode output and set a strict Content-Security-Policy on the targeted page',
          'Look for stored payloads in user-generated content',
        ],
  };
}
