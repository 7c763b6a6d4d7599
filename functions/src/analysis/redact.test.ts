import { describe, expect, it } from 'vitest';
import { RECENT_ACTIVITY_SATURATION } from '../domain/scoring';
import { buildMessage, buildPrompt, type ModelContext } from './prompt';
import { isSensitiveKey, parseRedactKeys, redact, redactText, REDACTED } from './redact';

describe('isSensitiveKey', () => {
  it.each([
    'password',
    'Password',
    'passwd',
    'user_password',
    'db_pwd',
    'passphrase',
    'secret',
    'client_secret',
    'token',
    'access_token',
    'refreshToken',
    'api_key',
    'API-Key',
    'apiKey',
    'x-api-key',
    'Authorization',
    'proxy_authorization',
    'cookie',
    'Set-Cookie',
    'session',
    'session_id',
    'JSESSIONID',
    'private_key',
    'aws_credentials',
  ])('redacts %s', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each(['attempts', 'ports', 'user', 'username', 'bytes_out', 'file_hash', 'process', 'status_code', 'url'])(
    'keeps %s',
    (key) => {
      expect(isSensitiveKey(key)).toBe(false);
    },
  );

  it('adds configured keys, in any spelling', () => {
    const extra = parseRedactKeys('ssn, Credit-Card  phone_number');
    expect(extra).toEqual(['ssn', 'creditcard', 'phonenumber']);
    expect(isSensitiveKey('customer_ssn', extra)).toBe(true);
    expect(isSensitiveKey('creditCard', extra)).toBe(true);
    expect(isSensitiveKey('PHONE-NUMBER', extra)).toBe(true);
    expect(isSensitiveKey('attempts', extra)).toBe(false);
  });
});

describe('redactText', () => {
  const cases: [string, string, string][] = [
    ['an email address keeps its domain only', 'login by alice.smith@corp.example.com failed', 'login by [email]@corp.example.com failed'],
    ['several addresses', 'from a@x.io to b.c+tag@y.org', 'from [email]@x.io to [email]@y.org'],
    ['a bearer token', 'Authorization: Bearer abcdef123456.xyz', 'Authorization: [redacted] [redacted]'],
    ['a JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature', 'token [redacted]'],
    ['a password in a query string', '/login?user=bob&password=hunter2&x=1', '/login?user=bob&password=[redacted]&x=1'],
    ['an api key in a URL', 'GET /v1/data?api_key=AKIA1234&page=2', 'GET /v1/data?api_key=[redacted]&page=2'],
    ['a session cookie', 'Cookie: sessionid=9f8e7d; theme=dark', 'Cookie: [redacted]; theme=dark'],
    ['a quoted JSON secret', '{"client_secret": "s3cr3t", "n": 1}', '{"client_secret": [redacted], "n": 1}'],
    ['attack text without secrets stays', "' OR 1=1 -- ", "' OR 1=1 -- "],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redact', () => {
  it('replaces the values of sensitive keys at any depth, whatever their type, and keeps the rest', () => {
    const payload = {
      attempts: 150,
      username: 'root',
      password: 'hunter2',
      headers: { Authorization: 'Basic cm9vdDpodW50ZXIy', 'User-Agent': 'curl/8.5', cookie: ['a=1', 'b=2'] },
      session: { id: 'abc', started: 3 },
      events: [{ token: 'tok-1', ok: true }, { contact: 'eve@evil.example' }],
      api_key: null,
    };
    expect(redact(payload)).toEqual({
      attempts: 150,
      username: 'root',
      password: REDACTED,
      headers: { Authorization: REDACTED, 'User-Agent': 'curl/8.5', cookie: REDACTED },
      session: REDACTED,
      events: [{ token: REDACTED, ok: true }, { contact: '[email]@evil.example' }],
      api_key: REDACTED,
    });
  });

  it('redacts configured extra keys', () => {
    expect(redact({ ssn: '123-45-6789', attempts: 3 }, { extraKeys: ['ssn'] })).toEqual({ ssn: REDACTED, attempts: 3 });
  });

  it('takes personal data out of keys too', () => {
    expect(redact({ 'alice@corp.example': 3 })).toEqual({ '[email]@corp.example': 3 });
  });

  it('bounds size: long strings, long arrays and deep nesting are cut', () => {
    const out = redact(
      { text: 'x'.repeat(1000), list: Array.from({ length: 100 }, (_, i) => i), deep: { a: { b: { c: { d: 1 } } } } },
      { maxStringLength: 10, maxArrayItems: 3, maxDepth: 3 },
    ) as Record<string, any>;
    expect(out.text).toBe(`${'x'.repeat(10)}…[990 more chars]`);
    expect(out.list).toEqual([0, 1, 2, '[97 more]']);
    expect(out.deep).toEqual({ a: { b: '[truncated: too deep]' } });
  });

  it('survives cycles and values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { n: 1, big: 10n, f: () => 1 };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ n: 1, big: '10' });
  });
});

describe('the prompt', () => {
  it('carries no secret or email local part from the payload or metadata', () => {
    const prompt = buildPrompt({
      event: {
        event_type: 'suspicious_login',
        source_ip: '185.234.72.91',
        destination_ip: '10.0.0.10',
        destination_port: 443,
        protocol: 'TCP',
        payload: {
          user: 'alice.smith@corp.example',
          password: 'Winter2025!',
          request: 'POST /login?token=abc123secret',
          headers: { authorization: 'Bearer zzzzzzzzzzzz' },
        },
        metadata: { reporter: 'soc-bot@corp.example', session_id: 'S-1' },
      },
      source: { ip: '185.234.72.91', zone: 'public', country: 'DE' },
      destination: { ip: '10.0.0.10', zone: 'private', criticalAsset: true },
      rules: {
        engine: 'rules',
        summary: 'Suspicious login',
        category: 'suspicious_login',
        confidence: 0.5,
        mitre: [],
        evidence: {},
        evidenceStrength: 0,
        recommendedActions: [],
      },
      risk: { score: 45, severity: 'MEDIUM', factors: [] },
      recentActivity: 2,
    });
    for (const secret of ['Winter2025!', 'abc123secret', 'zzzzzzzzzzzz', 'alice.smith', 'soc-bot', 'S-1']) {
      expect(prompt).not.toContain(secret);
    }
    const message = JSON.parse(prompt).events[0];
    expect(message.id).toBe('1');
    expect(message.payload.user).toBe('[email]@corp.example');
    expect(message.source).toMatchObject({ ip: '185.234.72.91', country: 'DE' });
    expect(message.destination).toMatchObject({ ip: '10.0.0.10', port: 443, critical_asset: true });
    expect(message.rules_engine).toEqual({ category: 'suspicious_login', confidence: 0.5, mitre: [], risk_score: 45, severity: 'MEDIUM' });
  });

  it('says "or more" for a recent-activity count ingest stopped at, and gives a smaller one as it is', () => {
    const context: ModelContext = {
      event: { event_type: 'port_scan', source_ip: '185.234.72.91', destination_ip: '10.0.0.10', protocol: 'TCP', payload: {}, metadata: {} },
      source: { ip: '185.234.72.91', zone: 'public' },
      rules: { engine: 'rules', summary: 'Port scan', category: 'port_scan', confidence: 0.5, mitre: [], evidence: {}, evidenceStrength: 0, recommendedActions: [] },
      risk: { score: 30, severity: 'LOW', factors: [] },
      recentActivity: RECENT_ACTIVITY_SATURATION - 1,
    };
    expect(buildMessage(context).earlier_events_from_source_recently).toBe(RECENT_ACTIVITY_SATURATION - 1);
    expect(buildMessage({ ...context, recentActivity: RECENT_ACTIVITY_SATURATION }).earlier_events_from_source_recently).toBe(
      `${RECENT_ACTIVITY_SATURATION} or more`,
    );
  });
});
