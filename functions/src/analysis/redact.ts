// What leaves for the model: the event with everything that can hold a secret or personal data
// taken out, and cut down to a size that bounds the cost of a call.

/** Key fragments that mark a field as secret or personal, matched on the normalised key. */
export const SENSITIVE_KEY_FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'session',
  'privatekey',
  'credential',
] as const;

export const REDACTED = '[redacted]';
export const REDACTED_EMAIL_LOCAL_PART = '[email]';

export interface RedactionOptions {
  /** More key fragments to redact (from the GEMINI_REDACT_KEYS param), any spelling. */
  extraKeys?: readonly string[];
  /** Strings are cut to this many characters. */
  maxStringLength?: number;
  /** Arrays are cut to this many items. */
  maxArrayItems?: number;
  /** Objects nested deeper than this are replaced by a marker. */
  maxDepth?: number;
}

const DEFAULTS = { maxStringLength: 400, maxArrayItems: 25, maxDepth: 6 };

/** `api_key`, `API-Key` and `apiKey` are one key: lower case, letters and digits only. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Parses a comma-separated list of extra keys (the GEMINI_REDACT_KEYS param). */
export function parseRedactKeys(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map(normaliseKey)
    .filter((key) => key.length > 0);
}

/**
 * Short names that are secret only as a whole word of the key (`pin`, `user_pin`, `userPin`),
 * never as a fragment: `ping`, `shipping`, `className`, `footprint` and `author` stay.
 */
export const SENSITIVE_KEY_WORDS = ['pass', 'auth', 'pin', 'otp', 'ssn'] as const;

/** `userPIN`, `user-pin` and `USER_PIN` all give the words `user` and `pin`. */
function keyWords(key: string): string[] {
  const split = (text: string) => text.toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length > 0);
  // Both readings: `pasS` is the word `pass`, `userPin` the words `user` and `pin`.
  return [...split(key), ...split(key.replace(/([a-z0-9])([A-Z])/g, '$1 $2'))];
}

export function isSensitiveKey(key: string, extraKeys: readonly string[] = []): boolean {
  return isSensitiveNormalised(key, extraKeys.map(normaliseKey));
}

/** As isSensitiveKey, with the extra keys already normalised (redact does that once per call). */
function isSensitiveNormalised(key: string, normalisedExtraKeys: readonly string[]): boolean {
  const normalised = normaliseKey(key);
  if (normalised.length === 0) return false;
  return (
    SENSITIVE_KEY_FRAGMENTS.some((fragment) => normalised.includes(fragment)) ||
    normalisedExtraKeys.some((extra) => extra.length > 0 && normalised.includes(extra)) ||
    keyWords(key).some((word) => (SENSITIVE_KEY_WORDS as readonly string[]).includes(word))
  );
}

// Attacker text reaches every pattern below, up to the event's 64 KB and beyond in tests, so each
// is written to run in linear time: a pattern's start is anchored by a lookbehind to the first
// character of a run (so a long run is scanned once, not once per character), and no quantified
// group can match the same text in two ways. redact.test.ts times them on 0.5 and 1 MB inputs.

// An address's local part names a person; its domain (an organisation, or a phishing sender's
// infrastructure) is what an analyst needs, so it is kept.
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]{1,63}\.){1,16}[A-Za-z]{2,63})(?![A-Za-z0-9-])/g;
// `https://user:secret@10.0.0.5/`: the password in a URL's user information.
const URL_USERINFO = /(?<=\/\/[^/\s:@]{0,256}:)[^/\s@]+(?=@)/g;
// `password=hunter2` inside a URL, a query string, a header dump or a log line. `pin`, `otp` and
// `ssn` only as the whole key or its last word (`user_pin=`), so `ping=` and `shipping=` stay.
const INLINE_SECRET =
  /(?<![A-Za-z0-9_.-])((?:[A-Za-z0-9_.-]*(?:password|passwd|pwd|passphrase|pass|secret(?:[_-]?key)?|private[_-]?key|token|api[_-]?key|session(?:[_-]?id)?|sessid|sid|auth|authorization|cookie))|(?:[A-Za-z0-9_.-]*[_.-])?(?:pin|otp|ssn))(["']?[ \t]*[=:][ \t]*)("[^"]*"|'[^']*'|[^\s&;,"']+)/gi;
// Authorization schemes with a credential after them, in any case (`bearer`, `Basic`). `Token`
// only capitalised, as a scheme: lower-case "token" in prose is a word, not a header.
const AUTH_SCHEME = /(?<![A-Za-z0-9_-])(bearer|basic|negotiate|ntlm)[ \t]+[A-Za-z0-9._~+/=-]{8,}/gi;
const TOKEN_SCHEME = /(?<![A-Za-z0-9_-])(Token)[ \t]+[A-Za-z0-9._~+/=-]{8,}/g;
// Digest credentials are a list of parameters (username, nonce, response…): the rest of the line.
const DIGEST = /(?<![A-Za-z0-9_-])(Digest)[ \t]+[^\r\n]+/gi;
// JSON Web Tokens: three base64url parts, the first two starting with `eyJ` ('{"').
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// A PEM private key block, up to its END line (or the end of what was sent).
const PEM_PRIVATE_KEY = /-----BEGIN[A-Z ]{0,40}PRIVATE KEY-----[^-]*(?:-----END[A-Z ]{0,40}PRIVATE KEY-----)?/g;

/**
 * Every pattern above needs one of these to match: text without any (most keys and values) is
 * returned as it is, after one scan instead of several replacements.
 */
const MAY_HOLD_SECRET = /[@=:]|eyJ|bearer|basic|token|digest|negotiate|ntlm|-----BEGIN/i;

/** Takes secrets and email local parts out of free text. Linear in the length of `text`. */
export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text
    .replace(PEM_PRIVATE_KEY, REDACTED)
    .replace(JWT, REDACTED)
    .replace(DIGEST, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(TOKEN_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(INLINE_SECRET, (_match, key: string, separator: string) => `${key}${separator}${REDACTED}`)
    .replace(EMAIL, (_match, domain: string) => `${REDACTED_EMAIL_LOCAL_PART}@${domain}`)
    .replace(URL_USERINFO, REDACTED);
}

/**
 * A copy of `value` safe to send out: the value of every key that looks secret or personal is
 * replaced by "[redacted]" (whatever its type), free text loses emails' local parts, bearer
 * tokens, JWTs and `key=value` secrets, and everything is cut to bounded size. Never throws;
 * functions, symbols and cycles are dropped.
 */
export function redact(value: unknown, options: RedactionOptions = {}): unknown {
  const settings = { ...DEFAULTS, ...options, extraKeys: (options.extraKeys ?? []).map(normaliseKey) };
  const seen = new WeakSet<object>();

  const visit = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') return truncate(redactText(node), settings.maxStringLength);
    if (typeof node === 'number' || typeof node === 'boolean' || node === null) return node;
    if (typeof node === 'bigint') return node.toString();
    if (typeof node !== 'object') return undefined;
    if (seen.has(node)) return undefined;
    if (depth >= settings.maxDepth) return '[truncated: too deep]';
    seen.add(node);
    try {
      if (Array.isArray(node)) {
        const items = node.slice(0, settings.maxArrayItems).map((item) => visit(item, depth + 1));
        if (node.length > settings.maxArrayItems) items.push(`[${node.length - settings.maxArrayItems} more]`);
        return items;
      }
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        // A key can carry personal data too (`{"alice@corp.example": 3}`).
        const safeKey = truncate(redactText(key), settings.maxStringLength);
        if (isSensitiveNormalised(key, settings.extraKeys)) {
          out[safeKey] = REDACTED;
          continue;
        }
        const visited = visit(child, depth + 1);
        if (visited !== undefined) out[safeKey] = visited;
      }
      return out;
    } finally {
      seen.delete(node);
    }
  };
  return visit(value, 0);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}
