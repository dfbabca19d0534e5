/**
 * Dead letters from a terminal, through the delivery app's admin API (so the CLI and the HTTP API
 * replay the same way):
 *   npm run dlq -- list [--topic <t>] [--status PENDING|REPLAYING|REPLAYED|MANUAL_REVIEW]
 *   npm run dlq -- replay <id>
 *   npm run dlq -- replay --topic <t>
 * It calls the delivery app as any client does, through the gateway (DELIVERY_URL, default the local
 * gateway's invoke URL for delivery) with CLIENT_API_TOKEN and ADMIN_API_TOKEN, read from
 * .data/local.env unless given.
 */
import { readConnections } from './devstack/env';

function usage(message?: string): never {
  if (message) console.error(`dlq: ${message}`);
  console.error('usage: npm run dlq -- list [--topic <t>] [--status <s>] | replay <id> | replay --topic <t>');
  process.exit(2);
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) usage(`${name} needs a value`);
  return value;
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'list' && command !== 'replay') usage(command ? `unknown command ${command}` : undefined);
  const needConnections = !process.env.CLIENT_API_TOKEN || !process.env.ADMIN_API_TOKEN;
  const connections = needConnections ? readConnections() : undefined;
  const clientToken = process.env.CLIENT_API_TOKEN ?? connections!.CLIENT_API_TOKEN;
  const adminToken = process.env.ADMIN_API_TOKEN ?? connections!.ADMIN_API_TOKEN;
  const base = (process.env.DELIVERY_URL ?? 'http://127.0.0.1:3500/v1.0/invoke/delivery/method').replace(/\/$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method, headers: { 'dapr-api-token': clientToken, authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) {
      console.error(`dlq: ${method} ${path} answered ${response.status}: ${text}`);
      process.exit(1);
    }
    return JSON.parse(text) as Record<string, unknown>;
  };

  if (command === 'list') {
    const query = new URLSearchParams();
    const topic = option(args, '--topic');
    const status = option(args, '--status');
    if (topic) query.set('topic', topic);
    if (status) query.set('status', status);
    const { deadLetters } = (await call('GET', `/api/admin/dead-letters?${query}`)) as { deadLetters: Array<Record<string, unknown>> };
    console.log(['id', 'topic', 'status', 'attempts', 'count', 'last failed', 'last error'].join('\t'));
    for (const l of deadLetters) console.log([l.id, l.topic, l.status, l.attempts ?? '', l.deadLetterCount, l.lastFailedAt, String(l.lastError ?? '').slice(0, 120)].join('\t'));
    console.log(`${deadLetters.length} dead letter(s)`);
    return;
  }
  const topic = option(args, '--topic');
  if (topic) {
    const result = await call('POST', '/api/admin/dead-letters/replay', { topic });
    console.log(`replayed ${String(result.replayed)} dead letter(s) of ${topic}`);
    return;
  }
  const id = args[0];
  if (!id) usage('replay needs a dead-letter id or --topic <t>');
  const result = await call('POST', `/api/admin/dead-letters/${encodeURIComponent(id)}/replay`);
  console.log(`replaying ${id} (${String(result.topic)}): ${String(result.status)}`);
}

main().catch((error) => {
  console.error(`dlq: ${(error as Error).message}`);
  process.exit(1);
});
