// `npm start` says plainly when INTERNAL_CIDRS is empty: then only RFC 1918 space counts as ours,
// so the organisation's own public egress addresses look like the internet, and a playbook may
// block them. The Functions emulator reads functions/.env, then the alias's file over it.
import { parseEnv } from 'node:util';

/** The warning to print, or undefined when INTERNAL_CIDRS names networks. */
export function internalCidrsWarning(envTexts) {
  let value = '';
  for (const text of envTexts) {
    const env = parseEnv(text);
    if (env.INTERNAL_CIDRS !== undefined) value = env.INTERNAL_CIDRS;
  }
  if (value.trim() !== '') return undefined;
  return (
    'WARNING: INTERNAL_CIDRS is empty. Your own public address ranges (office and cloud egress, VPN, NAT) ' +
    'look like the internet: threats from them score as external, and block_ip may block them. ' +
    'Set INTERNAL_CIDRS (and NEVER_BLOCK_CIDRS for what must never be blocked) in functions/.env.<project>.'
  );
}
