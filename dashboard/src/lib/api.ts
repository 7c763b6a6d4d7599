import type { User } from 'firebase/auth';

// The HTTPS API (functions/src/api), same origin through Hosting's /api/** rewrite. Every change
// the dashboard makes goes through it with the user's ID token; Firestore rules allow no client
// writes at all.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PUT';

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

async function send(user: User, method: Method, path: string, body: unknown, forceRefresh: boolean): Promise<Response> {
  const token = await user.getIdToken(forceRefresh);
  return fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    cache: 'no-store',
  });
}

export async function apiRequest<T>(user: User, method: Method, path: string, body?: unknown): Promise<T> {
  let response = await send(user, method, path, body, false);
  // An expired or revoked token: refresh once (a role granted since sign-in arrives this way too).
  if (response.status === 401) response = await send(user, method, path, body, true);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as ErrorBody | undefined)?.error;
    const retryAfter = response.headers.get('retry-after');
    const message =
      error?.message ??
      (response.status === 404 && !parsed ? 'the API is not reachable at /api' : `${response.status} ${response.statusText}`);
    throw new ApiError(
      response.status,
      error?.code ?? `http_${response.status}`,
      retryAfter ? `${message} (retry in ${retryAfter} s)` : message,
      error?.details,
    );
  }
  return parsed as T;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `Not allowed: ${error.message}`;
    if (error.status === 409) return `Already changed: ${error.message}`;
    return error.message;
  }
  if (error instanceof TypeError) return 'Network error: the API could not be reached.';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The reasons a 400 lists in `error.details` (a rule refused for several reasons names them all),
 * one line each, whatever their shape: strings, {path, message} issues, or anything else as JSON.
 */
export function errorReasons(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const details = error.details;
  const list = Array.isArray(details) ? details
    : details && typeof details === 'object' && Array.isArray((details as { reasons?: unknown }).reasons) ? (details as { reasons: unknown[] }).reasons
    : details && typeof details === 'object' && Array.isArray((details as { issues?: unknown }).issues) ? (details as { issues: unknown[] }).issues
    : details === undefined ? [] : [details];
  return list.map((item) => {
    if (typeof item === 'string') return item;
    if (item && typeof item === 'object') {
      const { path, message, reason } = item as { path?: unknown; message?: unknown; reason?: unknown };
      const text = typeof message === 'string' ? message : typeof reason === 'string' ? reason : undefined;
      const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
      if (text) return where ? `${where}: ${text}` : text;
    }
    return JSON.stringify(item);
  });
}
