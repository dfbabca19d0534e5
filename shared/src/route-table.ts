/**
 * What an express 5 app's routes say about a path: which routes match it (through mounted routers),
 * with which methods and parameters. The 405 answer (the methods a path allows) and the text guard
 * (which parameter held bad text) read it at request time, when every route, the Dapr SDK's
 * included, is in place. It reads the router's stack (`app.router.stack`, router 2.x's Layer and
 * Route), which express does not document: shared/src/route-table.test.ts pins what we rely on.
 */
import type { Express } from 'express';

interface RouteLike {
  path: unknown;
  /** Lower-case method names with a handler; `_all` for router.all(). */
  methods: Record<string, boolean>;
}

interface LayerLike {
  route?: RouteLike;
  handle?: { stack?: LayerLike[] };
  match(path: string): false | { params: Record<string, string>; path: string };
}

export interface MatchedRoute {
  /** Upper-case methods the route answers (HEAD with GET, as express does); `*` for router.all(). */
  methods: string[];
  params: Record<string, string>;
}

function stackOf(app: Express): LayerLike[] {
  return ((app as unknown as { router?: { stack?: LayerLike[] } }).router?.stack) ?? [];
}

function matchLayer(layer: LayerLike, path: string): ReturnType<LayerLike['match']> {
  try {
    return layer.match(path);
  } catch {
    // A parameter that does not decode: express answers that one itself (400).
    return false;
  }
}

function methodsOf(route: RouteLike): string[] {
  if (route.methods._all) return ['*'];
  const methods = Object.keys(route.methods).filter((m) => route.methods[m]).map((m) => m.toUpperCase());
  if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
  return methods;
}

function collect(stack: LayerLike[], path: string, found: MatchedRoute[], depth: number): void {
  if (depth > 16) return;
  for (const layer of stack) {
    const match = matchLayer(layer, path);
    if (!match) continue;
    if (layer.route) {
      found.push({ methods: methodsOf(layer.route), params: { ...match.params } });
    } else if (Array.isArray(layer.handle?.stack)) {
      // A mounted router sees the path without its mount prefix, always starting with '/'.
      const rest = path.slice(match.path.length);
      collect(layer.handle.stack, rest.startsWith('/') ? rest : `/${rest}`, found, depth + 1);
    }
  }
}

/** Every route of `app` matching `path` (raw, as req.path), in dispatch order. */
export function matchRoutes(app: Express, path: string): MatchedRoute[] {
  const found: MatchedRoute[] = [];
  collect(stackOf(app), path, found, 0);
  return found;
}

const answers = (route: MatchedRoute, method: string) =>
  route.methods.includes('*') || route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));

/** The params of the route that would serve `method` on `path` (else of the first route matching the path). */
export function routeParams(app: Express, method: string, path: string): Record<string, string> | undefined {
  const routes = matchRoutes(app, path);
  return (routes.find((r) => answers(r, method)) ?? routes[0])?.params;
}

/**
 * The methods `path` allows when none of its routes answers `method` (sorted, for an `Allow`
 * header); undefined when no route matches the path, or when one answers the method.
 */
export function allowedMethods(app: Express, method: string, path: string): string[] | undefined {
  const routes = matchRoutes(app, path);
  if (routes.length === 0 || routes.some((r) => answers(r, method))) return undefined;
  return [...new Set(routes.flatMap((r) => r.methods))].sort();
}
