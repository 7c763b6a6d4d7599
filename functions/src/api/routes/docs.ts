import { z } from 'zod';
import { docsPage, docsPagePolicy } from '../docs-page';
import { API_TITLE, openApiDocument, type OpenApiDocument } from '../openapi';
import { defineRoute, type RouteSpec } from '../route';

// The document describes every route, these two included; it is built once per instance.
let cached: OpenApiDocument | undefined;

export function docsRoutes(allRoutes: () => RouteSpec[]): RouteSpec[] {
  const openApiRoute = defineRoute({
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI 3.1 document',
    description: 'Generated from the zod schemas the API validates with.',
    tags: ['docs'],
    access: 'public',
    responses: {
      200: {
        description: 'The OpenAPI document.',
        schema: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }),
      },
    },
    handler: ({ deps }) => {
      cached ??= openApiDocument(allRoutes(), deps.config.environment);
      return { json: cached, headers: { 'Cache-Control': 'public, max-age=300' } };
    },
  });

  const docsRoute = defineRoute({
    method: 'get',
    path: '/api/docs',
    operationId: 'getDocs',
    summary: 'Interactive API documentation',
    description: 'A self-contained page (no external scripts) that lists every operation and sends real requests.',
    tags: ['docs'],
    access: 'public',
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html' } },
    handler: ({ deps }) => {
      const html = docsPage({ title: API_TITLE, authEmulatorHost: deps.config.authEmulatorHost });
      return {
        html,
        headers: { 'Cache-Control': 'public, max-age=300', 'Content-Security-Policy': docsPagePolicy(html, deps.config.authEmulatorHost) },
      };
    },
  });

  return [openApiRoute, docsRoute];
}
