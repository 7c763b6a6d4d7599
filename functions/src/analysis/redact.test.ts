import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECENT_ACTIVITY_SATURATION } from '../domain/scoring';
import { buildMessage, buildPrompt, type ModelContext } from './prompt';
import { isSensitiveKey, parseRedactKeys, redact, redactText, REDACTED, SENSITIVE_KEY_FRAGMENTS, SENSITIVE_KEY_WORDS } from './redact';

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
    'secret_key',
    'AWS_SECRET_KEY',
    'privateKey',
    'pass',
    'db_pass',
    'userPass',
    'auth',
    'x-auth',
    'AUTH_HEADER',
    'pin',
    'card_pin',
    'userPIN',
    'otp',
    'otp_code',
    'ssn',
    'customer_ssn',
    'SSN',
  ])('redacts %s', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each([
    'attempts',
    'ports',
    'user',
    'username',
    'bytes_out',
    'file_hash',
    'process',
    'status_code',
    'url',
    // The short secret words only count as whole words of the key.
    'ping',
    'shipping_address',
    'className',
    'footprint',
    'author',
    'mapping',
    'bypass',
  ])(
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
    ['pass= in a query string', '/login?user=bob&pass=hunter2&x=1', '/login?user=bob&pass=[redacted]&x=1'],
    ['pass= in a full URL', 'https://portal.example/auth?pass=Winter2025', 'https://portal.example/auth?pass=[redacted]'],
    ['a password in URL user information', 'ftp://admin:Zx9pw@10.0.0.5/backup', 'ftp://admin:[redacted]@10.0.0.5/backup'],
    ['a password in URL user information before a domain', 'https://bob:Zx9pw@corp.example/x', 'https://bob:[redacted]@corp.example/x'],
    ['secret_key', 'aws secret_key=wJalrXUtnFEMI/K7MDENG', 'aws secret_key=[redacted]'],
    ['private_key', 'private_key: MIIEvQIBADANBgkq', 'private_key: [redacted]'],
    ['a PEM private key', 'key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end', 'key [redacted] end'],
    ['pin=', 'card_pin=4321&amount=5', 'card_pin=[redacted]&amount=5'],
    ['otp:', 'otp: 123456', 'otp: [redacted]'],
    ['ssn=', 'ssn=123-45-6789', 'ssn=[redacted]'],
    ['auth=', '?auth=abcdef', '?auth=[redacted]'],
    ['ping= stays', 'ping=12ms shipping=3', 'ping=12ms shipping=3'],
    ['a lower-case bearer token', 'authorization = bearer abcdef123456', 'authorization = [redacted] [redacted]'],
    ['a bearer token alone', 'sent bearer abcdef123456 twice', 'sent bearer [redacted] twice'],
    ['a Token authorization', 'Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', 'Authorization: [redacted] [redacted]'],
    ['a Token scheme in a header dump', 'hdr Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', 'hdr Token [redacted]'],
    [
      'a Digest authorization',
      'X: Digest username="bob", realm="x", nonce="dcd98b7102dd2f0e", response="6629fae49393a05397450978507c4ef1"\nnext line',
      'X: Digest [redacted]\nnext line',
    ],
    ['lower-case "token" in prose stays', 'the token expired', 'the token expired'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

// Property-based: generated secrets in generated places, under generated spellings of the key.
describe('redaction of generated inputs', () => {
  // A secret value: distinctive (so finding it in the output means it leaked), no separators.
  const secretValue = fc
    .stringMatching(/^[A-Za-z0-9_.~+/-]{6,40}$/)
    .map((tail) => `Zq7${tail}`);
  const randomCase = (word: string) =>
    fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) =>
      [...word].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join(''),
    );
  const separator = fc.constantFrom('_', '-', '.', '');
  const prefix = fc.constantFrom('', 'user', 'db', 'x', 'client', 'AWS');
  const inlineKeyword = fc.constantFrom(
    'password',
    'passwd',
    'pwd',
    'pass',
    'secret',
    'secret_key',
    'private_key',
    'token',
    'api_key',
    'session_id',
    'auth',
    'authorization',
    'cookie',
  );
  // pin/otp/ssn need a separator before them when prefixed (so ping= and shipping= stay).
  const inlineKey = fc.oneof(
    fc.tuple(prefix, separator, inlineKeyword).chain(([p, sep, k]) => randomCase(`${p}${p ? sep : ''}${k}`)),
    fc.tuple(prefix, fc.constantFrom('_', '-', '.'), fc.constantFrom('pin', 'otp', 'ssn')).chain(([p, sep, k]) =>
      randomCase(`${p}${p ? sep : ''}${k}`),
    ),
  );
  const filler = fc.stringMatching(/^[A-Za-z0-9 /?&]{0,30}$/);

  it('never lets the value of a key=value secret through, in URLs, query strings, headers or JSON text', () => {
    fc.assert(
      fc.property(filler, inlineKey, secretValue, fc.integer({ min: 0, max: 4 }), (before, key, secret, shape) => {
        const text = [
          `GET /a?x=1&${key}=${secret}&page=2`,
          `https://host.example/cb?${key}=${secret}`,
          `${key}: ${secret}`,
          `{"${key}": "${secret}", "n": 1}`,
          `${key} = '${secret}'`,
        ][shape]!;
        expect(redactText(`${before} ${text}`)).not.toContain(secret);
      }),
      { numRuns: 500 },
    );
  });

  it('never lets an authorization credential through, whatever the case of bearer/basic', () => {
    const scheme = fc.oneof(
      fc.constantFrom('bearer', 'basic', 'negotiate').chain(randomCase),
      fc.constant('Token'),
      fc.constant('Digest'),
    );
    fc.assert(
      fc.property(filler, scheme, secretValue, (before, name, secret) => {
        expect(redactText(`${before} Authorization: ${name} ${secret}`)).not.toContain(secret);
        expect(redactText(`${before} ${name} ${secret}`)).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it("never lets an email's local part or a URL's password through", () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9._+-]{2,20}$/).map((l) => `qq${l}`);
    const host = fc.oneof(fc.constantFrom('corp.example', 'mail.evil.example.org'), fc.ipV4());
    // A password in a URL cannot hold an unencoded '/'.
    const urlSecret = secretValue.map((v) => v.replace(/\//g, '_'));
    fc.assert(
      fc.property(filler, local, fc.constantFrom('corp.example', 'x.io'), urlSecret, host, (before, name, domain, secret, h) => {
        const out = redactText(`${before} from ${name}@${domain} via https://svc:${secret}@${h}/p`);
        expect(out).not.toContain(name);
        expect(out).not.toContain(secret);
        expect(out).toContain(`@${domain}`);
      }),
      { numRuns: 300 },
    );
  });

  it('redacts every sensitive key of a generated object, at any depth, in any spelling', () => {
    const sensitiveKey = fc.oneof(
      fc.tuple(prefix, separator, fc.constantFrom(...SENSITIVE_KEY_FRAGMENTS)).chain(([p, sep, k]) => randomCase(`${p}${sep}${k}`)),
      // A word key: alone in any case, after a separator, or as the capitalised word of camelCase.
      fc.constantFrom(...SENSITIVE_KEY_WORDS).chain(randomCase),
      fc.tuple(prefix, fc.constantFrom('_', '-'), fc.constantFrom(...SENSITIVE_KEY_WORDS), fc.boolean()).map(([p, sep, k, upper]) =>
        upper ? `${p}${sep}${k}`.toUpperCase() : `${p}${sep}${k}`,
      ),
      fc.tuple(fc.constantFrom('user', 'card', 'db'), fc.constantFrom(...SENSITIVE_KEY_WORDS), fc.boolean()).map(
        ([p, k, upper]) => `${p}${upper ? k.toUpperCase() : k[0]!.toUpperCase() + k.slice(1)}`,
      ),
    );
    const value = fc.oneof(secretValue, secretValue.map((s) => [s]), secretValue.map((s) => ({ inner: s })));
    fc.assert(
      fc.property(sensitiveKey, value, fc.integer({ min: 0, max: 3 }), (key, secretHolder, depth) => {
        let node: unknown = { [key]: secretHolder, attempts: 3 };
        for (let i = 0; i < depth; i++) node = { level: node };
        const out = JSON.stringify(redact(node));
        const secret = JSON.stringify(secretHolder).match(/Zq7[^"]*/)![0];
        expect(out).not.toContain(secret);
        expect(out).toContain('"attempts":3');
      }),
      { numRuns: 500 },
    );
  });

  it('leaves text with no secret marker unchanged and never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const out = redactText(text);
        if (!/[@=:]|eyJ|bearer|basic|token|digest|negotiate|ntlm|-----BEGIN/i.test(text)) expect(out).toBe(text);
      }),
      { numRuns: 1000 },
    );
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
