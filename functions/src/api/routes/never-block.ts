import { InvalidCidrError } from '../../domain/enrich/cidr';
import { neverBlockRef } from '../../firestore/refs';
import { addNeverBlock, canonicalCidr, listNeverBlock, removeNeverBlock } from '../../playbooks/never-block-store';
import { InvalidArgument } from '../errors';
import { defineRoute } from '../route';
import { NeverBlockAddBodySchema, NeverBlockChangeSchema, NeverBlockListSchema, NeverBlockRemoveBodySchema } from '../schemas';
import { toWire } from '../serialize';
import { actorOf } from './alerts';

function cidrOrBadRequest(text: string): string {
  try {
    return canonicalCidr(text);
  } catch (error) {
    if (error instanceof InvalidCidrError) throw new InvalidArgument(error.message, [{ path: 'body.cidr', message: error.message }]);
    throw error;
  }
}

export const listNeverBlockRoute = defineRoute({
  method: 'get',
  path: '/api/never-block',
  operationId: 'listNeverBlock',
  summary: 'Addresses no playbook may block',
  description: 'The admin-managed never-block list and the NEVER_BLOCK_CIDRS param. block_ip refuses any address in either, whoever runs it.',
  tags: ['never-block'],
  access: 'responder',
  responses: { 200: { description: 'The list.', schema: NeverBlockListSchema } },
  handler: async ({ deps }) => ({
    json: {
      entries: (await listNeverBlock(deps.db)).map((entry) => toWire(entry)),
      param: deps.playbooks?.neverBlockParam() ?? [],
    },
  }),
});

export const addNeverBlockRoute = defineRoute({
  method: 'post',
  path: '/api/never-block',
  operationId: 'addNeverBlock',
  summary: 'Add an address or network to the never-block list',
  description: 'Admins only; audited (never_block.add). Adding an entry again updates its reason.',
  tags: ['never-block'],
  access: 'admin',
  rateLimit: 'mutations',
  request: { body: { schema: NeverBlockAddBodySchema, required: true, example: { cidr: '8.8.8.0/24', reason: 'our DNS resolvers' } } },
  responses: { 200: { description: 'The entry.', schema: NeverBlockChangeSchema } },
  handler: async ({ deps, body, caller }) => {
    const cidr = cidrOrBadRequest(body.cidr);
    const result = await addNeverBlock(deps.db, cidr, body.reason, actorOf(caller!), deps.now());
    return { json: { id: result.id, cidr, changed: result.added } };
  },
});

export const removeNeverBlockRoute = defineRoute({
  method: 'post',
  path: '/api/never-block/remove',
  operationId: 'removeNeverBlock',
  summary: 'Remove an address or network from the never-block list',
  description: 'Admins only; audited (never_block.remove). `changed` is false when it was not on the list.',
  tags: ['never-block'],
  access: 'admin',
  rateLimit: 'mutations',
  request: { body: { schema: NeverBlockRemoveBodySchema, required: true } },
  responses: { 200: { description: 'What changed.', schema: NeverBlockChangeSchema } },
  handler: async ({ deps, body, caller }) => {
    const cidr = cidrOrBadRequest(body.cidr);
    const removed = await removeNeverBlock(deps.db, cidr, actorOf(caller!), deps.now());
    return { json: { id: neverBlockRef(deps.db, cidr).id, cidr, changed: removed } };
  },
});
