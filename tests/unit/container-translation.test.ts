/**
 * The container tier's translation of `helm template` output into containers
 * (tests/support/containers/translate.ts), over a small rendering of the chart's shape.
 */
import { parseRendered, rewriteAddresses, serverPorts, translate, type TranslateOptions } from '../support/containers/translate';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const RENDERED = `
apiVersion: v1
kind: Secret
metadata: { name: holdfast-booking }
data: { DATABASE_URL: "${b64('postgresql://holdfast@postgresql:5432/holdfast')}", ADMIN_API_TOKEN: "${b64('admin-token')}" }
---
apiVersion: v1
kind: Secret
metadata: { name: holdfast-booking-dapr-api-token }
data: { token: "${b64('booking-dapr')}" }
---
apiVersion: v1
kind: Secret
metadata: { name: holdfast-booking-app-api-token }
stringData: { token: app-token }
---
apiVersion: v1
kind: Secret
metadata: { name: holdfast-actorstate }
data: { STATE_DATABASE_URL: "${b64('postgresql://holdfast@postgresql.holdfast.svc.cluster.local:5432/holdfast?search_path=dapr')}" }
---
apiVersion: v1
kind: Secret
metadata: { name: holdfast-other }
data: { KEY: "${b64('not for booking')}" }
---
apiVersion: v1
kind: Secret
metadata: { name: holdfast-migrate }
data: { DATABASE_URL: "${b64('postgresql://holdfast@postgresql:5432/holdfast')}" }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: holdfast-booking-secrets }
rules: [{ apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [holdfast-actorstate] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: holdfast-booking-secrets }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: holdfast-booking-secrets }
subjects: [{ kind: ServiceAccount, name: booking, namespace: holdfast }]
---
apiVersion: v1
kind: Service
metadata: { name: providers }
spec: { selector: { app: providers }, ports: [{ name: http, port: 3001, targetPort: http }] }
---
apiVersion: v1
kind: Service
metadata: { name: gateway }
spec: { selector: { app: gateway }, ports: [{ port: 3500, targetPort: 3500 }, { port: 50001, targetPort: 50001 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: booking }
spec:
  template:
    metadata:
      labels: { app: booking }
      annotations:
        dapr.io/enabled: "true"
        dapr.io/app-id: booking
        dapr.io/app-port: "3000"
        dapr.io/config: holdfast-booking
        dapr.io/log-level: info
        dapr.io/log-as-json: "true"
        dapr.io/enable-metrics: "true"
        dapr.io/metrics-port: "9090"
        dapr.io/sidecar-memory-limit: 256Mi
        dapr.io/disable-builtin-k8s-secret-store: "true"
        dapr.io/enable-app-health-check: "true"
        dapr.io/app-health-check-path: /healthz
        dapr.io/api-token-secret: holdfast-booking-dapr-api-token
        dapr.io/app-token-secret: holdfast-booking-app-api-token
        dapr.io/env: "HOLDFAST_REDIS_ADDRESS=redis-master:6379"
    spec:
      serviceAccountName: booking
      securityContext: { runAsUser: 10001, runAsGroup: 10001, runAsNonRoot: true }
      volumes: [{ name: tmp, emptyDir: { sizeLimit: 128Mi } }]
      containers:
        - name: booking
          image: holdfast/app:1.2.3
          args: [apps/booking/src/main.ts]
          ports: [{ name: http, containerPort: 3000 }]
          env:
            - { name: APP_PORT, value: "3000" }
            - { name: APP_HOST, value: "0.0.0.0" }
            - { name: PROVIDERS_URL, value: "http://providers:3001" }
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: holdfast-booking, key: DATABASE_URL } }
            - name: MISSING_OPTIONAL
              valueFrom: { secretKeyRef: { name: holdfast-booking, key: NOPE, optional: true } }
          startupProbe: { httpGet: { path: /healthz, port: http }, periodSeconds: 2, failureThreshold: 30 }
          readinessProbe: { httpGet: { path: /readyz, port: http } }
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: gateway }
spec:
  template:
    metadata:
      labels: { app: gateway }
      annotations:
        dapr.io/enabled: "true"
        dapr.io/app-id: gateway
        dapr.io/config: holdfast-gateway
        dapr.io/api-token-secret: holdfast-booking-dapr-api-token
        dapr.io/sidecar-listen-addresses: "0.0.0.0"
    spec:
      containers: [{ name: idle, image: holdfast/app:1.2.3, args: ["-e", "0"] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: providers }
spec:
  template:
    metadata:
      labels: { app: providers }
      annotations: { dapr.io/enabled: "true", dapr.io/app-id: providers, dapr.io/app-port: "3001" }
    spec:
      containers:
        - name: providers
          image: holdfast/app:1.2.3
          args: [apps/providers/src/main.ts]
          ports: [{ name: http, containerPort: 3001 }]
          env:
            - { name: APP_PORT, value: "3001" }
            - { name: PROVIDERS_ADMIN_PORT, value: "3011" }
---
apiVersion: batch/v1
kind: Job
metadata: { name: holdfast-migrate }
spec:
  activeDeadlineSeconds: 300
  template:
    metadata: {}
    spec:
      securityContext: { runAsUser: 10001, runAsGroup: 10001 }
      containers:
        - name: migrate
          image: holdfast/migrate:1.2.3
          env:
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: holdfast-migrate, key: DATABASE_URL } }
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: { name: secretstore }
spec: { type: secretstores.kubernetes, version: v1, metadata: [] }
scopes: [booking]
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: { name: pubsub }
spec:
  type: pubsub.redis
  version: v1
  metadata:
    - { name: redisHost, value: "redis-master:6379" }
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: { name: refund-gateway }
spec: { type: bindings.http, version: v1, metadata: [{ name: url, value: "http://providers:3001/refunds" }] }
---
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: { name: holdfast-booking }
spec:
  tracing: { samplingRate: "0" }
  accessControl: { defaultAction: deny, trustDomain: public, policies: [] }
---
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: { name: holdfast-gateway }
spec: { api: { allowed: [{ name: invoke, version: v1.0, protocol: http }] } }
---
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: { name: holdfast-resiliency }
spec: { policies: { timeouts: { providerCall: 10s } } }
`;

const OPTIONS: TranslateOptions = {
  ports: { base: 36000 }, daprImage: 'holdfast/dapr:1.18.2', daprdPath: '/usr/local/bin/daprd', namesDir: '/holdfast/names', namespace: 'holdfast',
  nameResolution: { component: 'sqlite', version: 'v1', configuration: { connectionString: 'dapr-names.db', updateInterval: '3s' } },
};

const plan = () => translate(parseRendered(RENDERED), OPTIONS);
const flag = (args: string[] | undefined, name: string) => {
  const i = (args ?? []).indexOf(name);
  return i < 0 ? undefined : args![i + 1];
};

describe('container tier: helm template output to containers', () => {
  it('when a pod is translated, then each pod gets its own block of ports in 36000-39999 and the servers theirs after the pods', () => {
    const { pods } = plan();
    // Pods in name order: booking, gateway, providers.
    expect(pods.booking!.ports).toMatchObject({ app: { http: 36000 }, daprHttp: 36010, daprGrpc: 36011, daprInternalGrpc: 36012, daprMetrics: 36013 });
    expect(pods.gateway!.ports.daprHttp).toBe(36030);
    expect(pods.providers!.ports).toMatchObject({ app: { http: 36040 }, env: { APP_PORT: 36040, PROVIDERS_ADMIN_PORT: 36045 } });
    expect(serverPorts(OPTIONS.ports)).toMatchObject({ postgres: 36200, redis: 36201, placement: 36210, scheduler: 36220 });
  });

  it('when an app container is translated, then its image, args, user, read-only root, tmpfs and env are the pod\'s, with secrets resolved and cluster addresses pointing into the tier', () => {
    const app = plan().pods.booking!.app!;
    expect(app).toMatchObject({ image: 'holdfast/app:1.2.3', command: ['apps/booking/src/main.ts'], user: '10001:10001', readOnlyRootfs: true, tmpfs: { '/tmp': 'rw,size=128m' }, dropCapabilities: ['ALL'], noNewPrivileges: true });
    expect(app.entrypoint).toBeUndefined();
    expect(app.env).toEqual({
      APP_PORT: '36000',
      // Host networking: the app listens on loopback, not on every interface of the machine.
      APP_HOST: '127.0.0.1',
      PROVIDERS_URL: 'http://127.0.0.1:36040',
      DATABASE_URL: 'postgresql://holdfast@127.0.0.1:36200/holdfast',
      // What Dapr's injector adds: where the pod's sidecar listens.
      DAPR_HTTP_PORT: '36010', DAPR_GRPC_PORT: '36011',
    });
  });

  it('when the annotations are translated, then daprd gets the injector\'s flags with the tier\'s ports, its tokens from the named Secrets and dapr.io/env rewritten', () => {
    const { sidecar, daprApiToken } = plan().pods.booking!;
    const args = sidecar.command!;
    expect(sidecar.entrypoint).toEqual(['/usr/local/bin/daprd']);
    expect(flag(args, '--app-id')).toBe('booking');
    expect(flag(args, '--app-port')).toBe('36000');
    expect(flag(args, '--dapr-http-port')).toBe('36010');
    expect(flag(args, '--metrics-port')).toBe('36013');
    expect(flag(args, '--config')).toBe('/holdfast/config.yaml');
    expect(flag(args, '--log-level')).toBe('info');
    expect(flag(args, '--app-health-check-path')).toBe('/healthz');
    expect(flag(args, '--placement-host-address')).toBe('127.0.0.1:36210');
    expect(flag(args, '--dapr-listen-addresses')).toBe('127.0.0.1');
    expect(args).toEqual(expect.arrayContaining(['--log-as-json', '--enable-app-health-check', '--enable-metrics']));
    // Kubernetes-only annotations leave no trace.
    expect(args.join(' ')).not.toMatch(/memory|builtin-k8s/);
    expect(sidecar.env).toEqual({ NAMESPACE: 'holdfast', HOLDFAST_REDIS_ADDRESS: '127.0.0.1:36201', DAPR_API_TOKEN: 'booking-dapr', APP_API_TOKEN: 'app-token' });
    expect(daprApiToken).toBe('booking-dapr');
    expect(sidecar.mounts).toEqual(expect.arrayContaining([{ source: 'config/holdfast-booking.yaml', target: '/holdfast/config.yaml' }, { source: 'secrets/booking.json', target: '/holdfast/secrets.json' }]));
  });

  it('when a pod has no app port (the gateway), then only its daprd runs, on loopback although the chart opens it to the pod IP', () => {
    const gateway = plan().pods.gateway!;
    expect(gateway.app).toBeUndefined();
    expect(gateway.sidecar.command).not.toContain('--app-port');
    expect(flag(gateway.sidecar.command, '--dapr-listen-addresses')).toBe('127.0.0.1');
  });

  it('when the secret store is translated, then it is a local file store and each pod\'s file holds only the Secrets its Role may read', () => {
    const { files } = plan();
    expect(files['resources/secretstore.yaml']).toContain('type: secretstores.local.file');
    expect(files['resources/secretstore.yaml']).toContain('/holdfast/secrets.json');
    expect(JSON.parse(files['secrets/booking.json']!)).toEqual({ 'holdfast-actorstate': { STATE_DATABASE_URL: 'postgresql://holdfast@127.0.0.1:36200/holdfast?search_path=dapr' } });
    expect(JSON.parse(files['secrets/providers.json']!)).toEqual({});
  });

  it('when components and configurations are translated, then addresses point into the tier, accessControl is gone (no mTLS) and the local SQLite name resolution is added', () => {
    const { files } = plan();
    expect(files['resources/pubsub.yaml']).toContain('value: 127.0.0.1:36201');
    expect(files['resources/refund-gateway.yaml']).toContain('http://127.0.0.1:36040/refunds');
    expect(files['resources/holdfast-resiliency.yaml']).toContain('providerCall: 10s');
    const booking = files['config/holdfast-booking.yaml']!;
    expect(booking).not.toContain('accessControl');
    expect(booking).toContain('connectionString: /holdfast/names/dapr-names.db');
    expect(files['config/holdfast-gateway.yaml']).toContain('name: invoke');
  });

  it('when the migration Job is translated, then it runs the Job\'s image with the image\'s own command and the tier\'s database', () => {
    const { migration, migrationDeadlineSeconds, database } = plan();
    expect(migration).toMatchObject({ image: 'holdfast/migrate:1.2.3', entrypoint: undefined, command: undefined, user: '10001:10001' });
    expect(migration.env.DATABASE_URL).toBe('postgresql://holdfast@127.0.0.1:36200/holdfast');
    expect(migrationDeadlineSeconds).toBe(300);
    expect(database).toMatchObject({ user: 'holdfast', password: '', name: 'holdfast', port: 36200 });
  });

  it('when the startup probe is given, then the pod\'s startup window is its period times its threshold', () => {
    expect(plan().pods.booking!.startupSeconds).toBe(60);
    expect(plan().pods.providers!.startupSeconds).toBe(30);
  });

  it('when the rendering has an annotation the tier does not know, or a Secret key an env needs is missing, then translation refuses', () => {
    expect(() => translate(parseRendered(RENDERED.replace('dapr.io/log-level: info', 'dapr.io/volume-mounts: "x:/x"')), OPTIONS)).toThrow(/does not know dapr.io\/volume-mounts/);
    expect(() => translate(parseRendered(RENDERED.replace('key: DATABASE_URL } }\n            - name: MISSING', 'key: GONE } }\n            - name: MISSING')), OPTIONS)).toThrow(/has no key GONE/);
  });

  it('when an address is rewritten, then only the whole host:port of a known service changes', () => {
    const addresses = new Map([['providers:3001', 36040]]);
    expect(rewriteAddresses('http://providers:3001/x', addresses, 'ns')).toBe('http://127.0.0.1:36040/x');
    expect(rewriteAddresses('http://providers.ns.svc:3001', addresses, 'ns')).toBe('http://127.0.0.1:36040');
    expect(rewriteAddresses('http://providers:30011', addresses, 'ns')).toBe('http://providers:30011');
    expect(rewriteAddresses('http://myproviders:3001', addresses, 'ns')).toBe('http://myproviders:3001');
  });
});
