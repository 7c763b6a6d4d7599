import { ROLES as API_ROLES } from '@threatstream/events';
import { describe, expect, it } from 'vitest';
import { ROLES, parseRole, roleAtLeast } from './roles';

describe('roles', () => {
  it('are the API\'s roles in the API\'s order', () => {
    expect(ROLES).toEqual(API_ROLES);
  });

  it.each([
    ['viewer', 'analyst', false],
    ['analyst', 'analyst', true],
    ['responder', 'analyst', true],
    ['analyst', 'responder', false],
    ['admin', 'responder', true],
  ] as const)('%s at least %s: %s', (role, minimum, expected) => {
    expect(roleAtLeast(role, minimum)).toBe(expected);
  });

  it('gives nothing to a missing or unknown role claim', () => {
    expect(parseRole('superuser')).toBeUndefined();
    expect(parseRole(undefined)).toBeUndefined();
    expect(roleAtLeast(undefined, 'viewer')).toBe(false);
    expect(parseRole('responder')).toBe('responder');
  });
});
