/**
 * The Dapr SDK, loaded when first asked for. Loading it costs an app about 40 MiB (its gRPC
 * client, every protobuf of Dapr's API): the apps that host actors or workflows need it, the
 * delivery app (pub/sub, bindings and jobs over the sidecar's HTTP API) does not, and the shared
 * modules every app loads must not load it for them. Types come from `import type`, which loads nothing.
 */
export type DaprSdk = typeof import('@dapr/dapr');

export function daprSdk(): DaprSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@dapr/dapr') as DaprSdk;
}
