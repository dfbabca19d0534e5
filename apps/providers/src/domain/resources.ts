/**
 * What the simulated providers hold on to, like the real ones: authorizations and their captures,
 * stock reservations, shipping labels (long-running), notifications. Each has a status history, so
 * a test can ask "is anything of order X still authorized, reserved or captured?" after a saga.
 * Pure: in memory, time injected.
 */

export type ResourceKind = 'authorization' | 'capture' | 'refund' | 'reservation' | 'label' | 'notification' | 'stock_release';

export interface Resource {
  id: string;
  kind: ResourceKind;
  /** What the caller said the resource is for (an order or a hold id); captures inherit their authorization's. */
  reference: string | null;
  status: string;
  amount?: number;
  /** The related resource: a capture's authorization, a refund's capture. */
  parentId?: string;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  history: Array<{ status: string; at: string }>;
  /** Long-running work (labels): when it started and how long it takes. */
  work?: { startedAtMs: number; durationMs: number; doneStatus: string };
}

export class ResourceStore {
  private resources = new Map<string, Resource>();

  constructor(private readonly now: () => number = Date.now, private readonly capacity = 200_000) {}

  create(input: Pick<Resource, 'id' | 'kind' | 'reference' | 'status'> & Partial<Pick<Resource, 'amount' | 'parentId' | 'data' | 'work'>>): Resource {
    const at = new Date(this.now()).toISOString();
    const resource: Resource = { data: {}, ...input, createdAt: at, updatedAt: at, history: [{ status: input.status, at }] };
    this.resources.set(resource.id, resource);
    if (this.resources.size > this.capacity) this.resources.delete(this.resources.keys().next().value!);
    return resource;
  }

  /** The resource as of now: long-running work that has finished shows its final status. */
  get(id: string): Resource | undefined {
    const resource = this.resources.get(id);
    if (resource) this.settle(resource);
    return resource;
  }

  setStatus(id: string, status: string): Resource | undefined {
    const resource = this.get(id);
    if (!resource || resource.status === status) return resource;
    const at = new Date(this.now()).toISOString();
    resource.status = status;
    resource.updatedAt = at;
    resource.history.push({ status, at });
    if (resource.work && status !== 'in_progress') resource.work = undefined;
    return resource;
  }

  /** 0-100 for long-running work, 100 once done, undefined for resources without work. */
  progress(resource: Resource): number | undefined {
    if (resource.kind !== 'label') return undefined;
    if (!resource.work) return resource.status === 'in_progress' ? 0 : 100;
    const elapsed = this.now() - resource.work.startedAtMs;
    return resource.work.durationMs === 0 ? 100 : Math.min(100, Math.floor((elapsed / resource.work.durationMs) * 100));
  }

  list(filter: { reference?: string; kind?: string } = {}): Resource[] {
    return [...this.resources.values()]
      .filter((r) => (!filter.reference || r.reference === filter.reference) && (!filter.kind || r.kind === filter.kind))
      .map((r) => {
        this.settle(r);
        return r;
      });
  }

  clear(): void {
    this.resources.clear();
  }

  private settle(resource: Resource): void {
    if (resource.work && this.now() - resource.work.startedAtMs >= resource.work.durationMs) {
      const done = resource.work.doneStatus;
      resource.work = undefined;
      this.setStatus(resource.id, done);
    }
  }
}
