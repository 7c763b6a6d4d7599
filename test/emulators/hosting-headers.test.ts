// Hosting's security headers (firebase.json), on the Hosting emulator: a Content-Security-Policy
// the dashboard works under (the browser suites run it there) that forbids framing.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

const HOSTING = 'http://127.0.0.1:5000';

function directives(csp: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

describe('Hosting security headers', () => {
  it.each(['/', '/index.html', '/some/deep/link'])('%s: CSP with frame-ancestors none, no inline or remote script', async (path) => {
    const response = await fetch(`${HOSTING}${path}`);
    expect(response.status).toBe(200);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // What the dashboard connects to: Firestore and Auth, on Google in production and on the
    // emulators locally, and its own origin (the API, /__/firebase/init.json).
    expect(csp.get('connect-src')).toEqual(
      expect.arrayContaining([
        "'self'",
        'https://firestore.googleapis.com',
        'https://identitytoolkit.googleapis.com',
        'https://securetoken.googleapis.com',
        'http://127.0.0.1:8080',
        'http://127.0.0.1:9099',
      ]),
    );
  });

  it('the built page needs nothing the policy refuses: no inline script or style, no remote asset', async () => {
    const html = await (await fetch(`${HOSTING}/`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style[\s>]/);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/\sstyle="/);
  });

  it('the API docs page under /api states its own policy: its inline script and style by hash, no framing', async () => {
    const response = await fetch(`${HOSTING}/api/docs`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const csp = directives(response.headers.get('content-security-policy'));
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp.get('script-src')).toEqual([hash(script)]);
    expect(csp.get('style-src')).toEqual([hash(style)]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(html).not.toMatch(/\sstyle="|\son[a-z]+="/);
  });

  it('API answers forbid framing and active content', async () => {
    const response = await fetch(`${HOSTING}/api/health`);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });
});
