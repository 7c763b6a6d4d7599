import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without types
import { internalCidrsWarning } from './internal-cidrs-warning.mjs';

describe('npm start: the INTERNAL_CIDRS warning', () => {
  it('warns when no file sets it, or the last one to set it leaves it empty', () => {
    expect(internalCidrsWarning(['GEMINI_MODEL=x\n'])).toMatch(/INTERNAL_CIDRS is empty/);
    expect(internalCidrsWarning(['INTERNAL_CIDRS=\n'])).toMatch(/block_ip may block them/);
    expect(internalCidrsWarning(['INTERNAL_CIDRS=198.18.0.0/15\n', 'INTERNAL_CIDRS=\n'])).toMatch(/WARNING/);
  });
  it('is quiet when the networks are set (the alias file may set them over an empty default)', () => {
    expect(internalCidrsWarning(['INTERNAL_CIDRS=198.18.0.0/15\n'])).toBeUndefined();
    expect(internalCidrsWarning(['INTERNAL_CIDRS=\n', 'INTERNAL_CIDRS=203.0.113.0/24\n'])).toBeUndefined();
  });
});
