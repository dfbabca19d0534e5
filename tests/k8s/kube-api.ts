/**
 * Just enough of a Kubernetes API client for tests/k8s: read, create (or server-side dry-run)
 * and look up objects, from a kubeconfig. kubectl is not on our machines and @kubernetes/client-node
 * is not a dependency; what the tests need is a few REST calls. Supports the kubeconfig
 * scripts/k8s/apiserver.sh writes (token, insecure-skip-tls-verify) and the usual static forms of
 * a user's own (CA data, client certificate data); exec and auth-provider plugins are not.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import YAML from 'yaml';

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };
export type Reply = { status: number; body: any };

type Named<T> = { name: string } & Record<string, T>;

export class KubeApi {
  private readonly server: URL;
  private readonly agent: https.Agent;
  private readonly headers: Record<string, string> = {};
  private readonly discovery = new Map<string, Promise<Reply>>();

  constructor(kubeconfigPath: string) {
    const config = YAML.parse(readFileSync(kubeconfigPath, 'utf8'));
    const pick = <T>(list: Named<T>[], name: string, what: string): Record<string, any> => {
      const found = list?.find((item) => item.name === name);
      if (!found) throw new Error(`kubeconfig ${kubeconfigPath}: no ${what} named ${name}`);
      return found[what] as Record<string, any>;
    };
    const context = pick(config.contexts, config['current-context'], 'context');
    const cluster = pick(config.clusters, context.cluster, 'cluster');
    const user = pick(config.users, context.user, 'user');
    if (user.exec || user['auth-provider']) throw new Error('kubeconfig: exec and auth-provider users are not supported here');
    const b64 = (value?: string) => (value ? Buffer.from(value, 'base64') : undefined);
    this.server = new URL(cluster.server);
    this.agent = new https.Agent({
      rejectUnauthorized: !cluster['insecure-skip-tls-verify'],
      ca: b64(cluster['certificate-authority-data']) ?? (cluster['certificate-authority'] ? readFileSync(cluster['certificate-authority']) : undefined),
      cert: b64(user['client-certificate-data']),
      key: b64(user['client-key-data']),
    });
    if (user.token) this.headers.authorization = `Bearer ${user.token}`;
  }

  request(method: string, path: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.server),
        { method, agent: this.agent, headers: { ...this.headers, accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try { parsed = JSON.parse(text); } catch { /* not JSON: keep the text */ }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The collection path of an object's kind, found through the server's discovery (no table of plurals to keep). */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!this.discovery.has(base)) this.discovery.set(base, this.request('GET', base));
    const reply = await this.discovery.get(base)!;
    const resource = reply.status === 200
      ? (reply.body.resources as { name: string; kind: string; namespaced: boolean }[]).find((r) => r.kind === kind && !r.name.includes('/'))
      : undefined;
    if (!resource) throw new Error(`the server does not serve ${kind} in ${apiVersion} (discovery ${base}: ${reply.status})`);
    return resource.namespaced ? `${base}/namespaces/${namespace}/${resource.name}` : `${base}/${resource.name}`;
  }

  async get(object: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string } }, namespace?: string): Promise<Reply> {
    const collection = await this.collectionPath(object.apiVersion, object.kind, namespace);
    return this.request('GET', `${collection}/${object.metadata.name}`);
  }

  /** Creates an object; with dryRun the server validates, defaults and admits it but stores nothing. Unknown fields are errors. */
  async create(object: KubeObject, namespace: string | undefined, options: { dryRun?: boolean } = {}): Promise<Reply> {
    const collection = await this.collectionPath(object.apiVersion, object.kind, namespace);
    const query = new URLSearchParams({ fieldValidation: 'Strict', ...(options.dryRun ? { dryRun: 'All' } : {}) });
    return this.request('POST', `${collection}?${query}`, object);
  }
}
